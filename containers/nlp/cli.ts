import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TweetEnricher } from '../../core/nlp/enrich.ts';
import { evaluateSentiment } from '../../core/nlp/eval/evaluate.ts';
import { parseLabelledJsonl } from '../../core/nlp/eval/labelled.ts';
import { openBackend, parseBackendKind } from './backends.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

/** `spate nlp-eval` (sentiment quality on labelled tweets) and `spate nlp` (the worker). */
export function registerNlp(program: Command): void {
  program
    .command('nlp-eval')
    .description(
      'Score the sentiment model on labelled tweets (JSON Lines of {text, score} or {text, label})',
    )
    .requiredOption('--data <file>', 'labelled tweets, JSON Lines')
    .option('--backend <kind>', 'lexicon or onnx', 'lexicon')
    .option('--model <dir>', 'ONNX model directory (default: the shipped model)')
    .option('--device <device>', 'auto, cpu or cuda (onnx only)', 'auto')
    .option('--json', 'print one JSON line')
    .action(
      async (opts: { data: string; backend: string; model?: string; device: string; json?: boolean }) => {
        const kind = parseBackendKind(opts.backend, '--backend');
        if (!['auto', 'cpu', 'cuda'].includes(opts.device))
          throw new Error('--device: must be auto, cpu or cuda');
        const rows = parseLabelledJsonl(readFileSync(opts.data, 'utf8'), opts.data);
        const lexicon = loadVaderLexicon();
        const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord: (w) => lexicon.has(w) });
        const backend = await openBackend({
          kind,
          ...(opts.model !== undefined ? { modelDir: opts.model } : {}),
          device: opts.device as 'auto' | 'cpu' | 'cuda',
        });
        try {
          const result = await evaluateSentiment(rows, enricher, backend);
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ ...result, device: backend.device })}\n`);
          } else {
            const r = result.pearson_r === null ? 'n/a (no scored records)' : result.pearson_r.toFixed(3);
            process.stdout.write(
              [
                `backend      ${result.backend} (${backend.device})`,
                `tweets       ${result.n}`,
                `pearson r    ${r}`,
                `macro-F1     ${result.macro_f1.toFixed(3)}`,
                `accuracy     ${result.accuracy.toFixed(3)}`,
                `tweets/s     ${result.tweets_per_s}`,
                '',
              ].join('\n'),
            );
          }
        } finally {
          await backend.close();
        }
      },
    );

  program
    .command('nlp')
    .description('Run the tweet NLP worker: tweets.raw -> tweets.enriched (+ tweets.alerts), exactly once')
    .action(async () => {
      const { runWorkerProcess } = await import('./main.ts');
      await runWorkerProcess();
    });
}

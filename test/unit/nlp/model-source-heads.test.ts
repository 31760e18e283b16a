import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchModelFromS3 } from '../../../containers/nlp/model-source.ts';

/** A stand-in S3 with ListObjectsV2 and GetObject over an in-memory bucket. */
function fakeS3(objects: Record<string, string>): S3Client {
  return {
    send: async (command: { constructor: { name: string }; input: { Prefix?: string; Key?: string } }) => {
      if (command.constructor.name === 'ListObjectsV2Command')
        return {
          Contents: Object.keys(objects)
            .filter((k) => k.startsWith(command.input.Prefix ?? ''))
            .map((Key) => ({ Key })),
        };
      const body = objects[command.input.Key ?? ''];
      return { Body: { transformToByteArray: async () => new TextEncoder().encode(body) } };
    },
  } as unknown as S3Client;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fetchModelFromS3 with one export per head', () => {
  // The stack's upload (the shipped model at the top, pinned by SPATE_NLP_MODEL_SHA256) and the heads beside it.
  const objects = (hateSha: string) => ({
    'models/nlp/model.onnx': 'shipped bytes',
    'models/nlp/sentiment/model.onnx': 'sentiment bytes',
    'models/nlp/sentiment/model.onnx.sha256': `${sha('sentiment bytes')}  model.onnx\n`,
    'models/nlp/sentiment/config.json': '{}',
    'models/nlp/offensive/model.onnx': 'offensive bytes',
    'models/nlp/hate/model.onnx': 'hate bytes',
    'models/nlp/hate/model.onnx.sha256': `${hateSha}  model.onnx\n`,
  });

  it('keeps the head folders and checks each head against its own checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spate-heads-'));
    dirs.push(dir);
    await fetchModelFromS3('s3://bucket/models/nlp', dir, undefined, fakeS3(objects(sha('hate bytes'))));
    expect(readFileSync(join(dir, 'model.onnx'), 'utf8')).toBe('shipped bytes');
    expect(readFileSync(join(dir, 'sentiment', 'model.onnx'), 'utf8')).toBe('sentiment bytes');
    expect(existsSync(join(dir, 'sentiment', 'config.json'))).toBe(true);
    expect(readFileSync(join(dir, 'offensive', 'model.onnx'), 'utf8')).toBe('offensive bytes');
  });

  it('refuses a head whose model.onnx does not match its checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spate-heads-'));
    dirs.push(dir);
    await expect(
      fetchModelFromS3('s3://bucket/models/nlp/', dir, sha('shipped bytes'), fakeS3(objects('0'.repeat(64)))),
    ).rejects.toThrow(/models\/nlp\/hate: SHA-256 [0-9a-f]{64} is not the expected 0{64}/);
  });
});

/** A funnel step as the query API takes it (docs/funnels-and-people.md). */
export interface FunnelStepInput {
  readonly type: string;
  readonly product?: boolean;
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * The editor's steps, one a line: `purchase`, `page_view+product`, `purchase plan=pro seats=3`.
 * The API checks each step and names the line's index in its answer (`steps[2].type`); this
 * only splits the text, so the rules live in one place.
 */
export function stepsFromLines(text: string): FunnelStepInput[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [head = '', ...matches] = line.split(/\s+/);
      const [type = '', qualifier] = head.split('+');
      const properties = Object.fromEntries(
        matches.map((m) => {
          const eq = m.indexOf('=');
          return eq === -1 ? [m, ''] : [m.slice(0, eq), m.slice(eq + 1)];
        }),
      );
      return {
        type,
        ...(qualifier === 'product' ? { product: true } : {}),
        ...(matches.length > 0 ? { properties } : {}),
      };
    });
}

export function linesFromSteps(steps: readonly FunnelStepInput[]): string {
  return steps
    .map(
      (s) =>
        `${s.type}${s.product ? '+product' : ''}${Object.entries(s.properties ?? {})
          .map(([k, v]) => ` ${k}=${v}`)
          .join('')}`,
    )
    .join('\n');
}

import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../containers/nlp/group-commit.ts';

describe('GroupCommit', () => {
  it('sends a lone chunk at once and groups what arrives while a transaction is in flight', async () => {
    const groups: string[][] = [];
    let release: () => void = () => {};
    const commits = new GroupCommit<string>(async (chunks) => {
      groups.push([...chunks]);
      if (groups.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = commits.submit('p0-a');
    const later = [commits.submit('p1-a'), commits.submit('p2-a'), commits.submit('p3-a')];
    expect(groups).toEqual([['p0-a']]);
    release();
    await Promise.all([first, ...later]);
    expect(groups).toEqual([['p0-a'], ['p1-a', 'p2-a', 'p3-a']]);
    await commits.idle();
  });

  it('fails every chunk of a failed transaction and keeps committing later ones', async () => {
    const commits = new GroupCommit<string>(async (chunks) => {
      if (chunks.includes('bad')) throw new Error('transaction aborted');
    });
    const failing = [commits.submit('bad'), commits.submit('with-bad')];
    // 'bad' goes alone; 'with-bad' waits for the next transaction, which succeeds.
    await expect(failing[0]).rejects.toThrow('transaction aborted');
    await expect(failing[1]).resolves.toBeUndefined();
    const grouped = new GroupCommit<string>(async (chunks) => {
      if (chunks.includes('bad')) throw new Error('transaction aborted');
    });
    const head = grouped.submit('ok');
    const tail = [grouped.submit('bad'), grouped.submit('sibling')];
    await head;
    await expect(tail[0]).rejects.toThrow('transaction aborted');
    await expect(tail[1]).rejects.toThrow('transaction aborted');
    await expect(grouped.submit('after')).resolves.toBeUndefined();
  });
});

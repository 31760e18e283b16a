export async function runWorkerProcess(): Promise<void> {
  throw new Error('not yet');
}

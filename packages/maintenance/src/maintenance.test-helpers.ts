import { isEtcdError, type EtcdErrorReason } from "@etcdkit/transport";

/** Retries `fn` while it fails with one of `reasons`, every `delayMs`, at most `attempts` times. */
export async function retryWhile<T>(
  reasons: EtcdErrorReason | readonly EtcdErrorReason[],
  fn: () => Promise<T>,
  { attempts = 50, delayMs = 100 } = {},
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await fn();
    } catch (err) {
      if (!isEtcdError(err, reasons) || tries >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

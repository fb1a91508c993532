/**
 * What every chapter of the tour gets: the endpoints to talk to and a way to print.
 *
 * @example
 * const ctx = createTourContext(["http://127.0.0.1:2379"], console.log);
 */
export interface TourContext {
  endpoints: string[];
  /** A fresh key prefix, so the tour never collides with data already in the cluster. */
  prefix: string;
  say(line: string): void;
}

export function createTourContext(endpoints: string[], print: (line: string) => void): TourContext {
  return { endpoints, prefix: `/etcdkit-tour/${Date.now().toString(36)}/`, say: print };
}

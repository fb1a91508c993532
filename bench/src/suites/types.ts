/** Options every suite receives from the command line. */
export interface SuiteOptions {
  /** Interleaved rounds per cell; tables report the median. */
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Only these clients (by name); undefined = all. */
  readonly clients: readonly string[] | undefined;
  /** Only these workloads (by id); undefined = all. */
  readonly workloads: readonly string[] | undefined;
  /** Where to write the markdown report; undefined = the suite's default file, null = do not write. */
  readonly out: string | null | undefined;
  /** The command line as typed, recorded in the report. */
  readonly command: string;
}

/** A named benchmark suite, run by `pnpm bench <name>`. */
export interface Suite {
  readonly name: string;
  /** One line for `pnpm bench --help`. */
  readonly description: string;
  /** Default options of this suite (a suite may want longer or shorter cells). */
  readonly defaults: Pick<SuiteOptions, "rounds" | "warmupMs" | "durationMs">;
  /** Runs the suite and prints its report; resolves even when targets are missed. */
  run(options: SuiteOptions): Promise<void>;
}

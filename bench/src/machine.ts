import { availableParallelism, cpus, loadavg, platform, release } from "node:os";

/** Where a run happened, printed above its tables so results can be compared honestly. */
export interface MachineInfo {
  readonly date: string;
  readonly node: string;
  readonly os: string;
  readonly cores: number;
  readonly cpuModel: string;
}

/** Describes this machine and runtime. */
export function machineInfo(now: Date = new Date()): MachineInfo {
  return {
    date: now.toISOString().replace(/\.\d+Z$/, "Z"),
    node: process.version,
    os: `${platform()} ${release()}`,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
  };
}

/** The 1-minute load average, e.g. "1.69" — recorded around a run because other work skews results. */
export function load1(): string {
  return (loadavg()[0] ?? 0).toFixed(2);
}

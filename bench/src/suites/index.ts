import { kvSuite } from "./kv.js";
import { transportSuite } from "./transport.js";
import type { Suite } from "./types.js";

export type { Suite, SuiteOptions } from "./types.js";

/** Every suite `pnpm bench <name>` can run. Add a suite by adding a file and a line here. */
export const suites: readonly Suite[] = [transportSuite, kvSuite];

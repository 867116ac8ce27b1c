import type { EngineRef, ProbeReport } from '../protocol.js';

/**
 * Finds out, in a throwaway process, whether an engine package loads and
 * what it offers in each mode: a native crash or a missing library then
 * costs one line in the report, not the run.
 */
export async function probeEngine(
  ref: EngineRef,
  modes: readonly string[],
  passMode = true,
): Promise<ProbeReport> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.package)) as Record<string, unknown>;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { importError: { code: err.code, message: String(err.message ?? e) }, modes: {} };
  }
  const report: ProbeReport = { modes: {} };
  const factory = mod[ref.factory];
  for (const mode of modes) {
    if (typeof factory !== 'function') {
      report.modes[mode] = { error: `${ref.package} does not export ${ref.factory}() (yet)` };
      continue;
    }
    try {
      const engine = (await factory(passMode ? { ...ref.options, mode } : ref.options)) as {
        capabilities: ReadonlySet<string>;
        mode: string;
        close(): unknown;
      };
      report.modes[mode] =
        engine.mode === mode
          ? { capabilities: [...engine.capabilities].sort() }
          : { error: `asked for mode '${mode}', got '${engine.mode}'` };
      await engine.close();
    } catch (e) {
      report.modes[mode] = { error: String((e as Error)?.message ?? e) };
    }
  }
  return report;
}

/**
 * The reason a suite skips, unless CI asked for that piece: where
 * `BINIO_REQUIRE_<NAME>=1` is set (.ci/run sets it for everything
 * scripts/setup.sh installs), a missing piece throws instead, so a broken
 * install fails the run rather than quietly skipping what it should test.
 */
export function requiredOrSkip(name: string, why: string | undefined): string | undefined {
  if (why !== undefined && process.env[`BINIO_REQUIRE_${name}`] === '1')
    throw new Error(`BINIO_REQUIRE_${name}=1 but this cannot run here: ${why}`);
  return why;
}

// Checks a SARIF log against what GitHub code scanning documents it needs, which the SARIF JSON
// schema does not enforce ("SARIF support for code scanning", docs.github.com):
// - version 2.1.0, at least one run, tool.driver.name;
// - every result: ruleId naming a rule of the driver (ruleIndex pointing at it), message.text,
//   level in error|warning|note|none, and 1 to 10 locations, each a physicalLocation with an
//   artifactLocation.uri (relative to the repository or a file:// URI) and a region.startLine >= 1;
// - a result whose kind is not "fail" has level "none" (SARIF 2.1.0 §3.27.9/§3.27.10);
// - at most 25,000 results per run and 20 tags per rule.
// Returns one line per problem; an empty list means GitHub accepts the log.

interface Loose {
  [key: string]: unknown;
}

const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

export function githubSarifProblems(log: unknown): string[] {
  const problems: string[] = [];
  const root = obj(log);
  if (root?.version !== '2.1.0') problems.push('version is not 2.1.0');
  const runs = arr(root?.runs);
  if (!runs?.length) return [...problems, 'no runs'];
  runs.forEach((runValue, r) => {
    const run = obj(runValue);
    const driver = obj(obj(run?.tool)?.driver);
    if (typeof driver?.name !== 'string' || !driver.name) problems.push(`run ${r}: tool.driver.name missing`);
    const rules = arr(driver?.rules) ?? [];
    const ids = rules.map((x) => obj(x)?.id);
    if (new Set(ids).size !== ids.length) problems.push(`run ${r}: duplicate rule ids`);
    rules.forEach((x, i) => {
      const tags = arr(obj(obj(x)?.properties)?.tags) ?? [];
      if (tags.length > 20) problems.push(`run ${r} rule ${i}: more than 20 tags`);
    });
    const results = arr(run?.results) ?? [];
    if (results.length > 25000) problems.push(`run ${r}: more than 25,000 results`);
    results.forEach((resultValue, i) => {
      const at = `run ${r} result ${i}`;
      const result = obj(resultValue);
      if (typeof result?.ruleId !== 'string' || !ids.includes(result.ruleId)) problems.push(`${at}: ruleId does not name a rule`);
      if (typeof result?.ruleIndex === 'number' && ids[result.ruleIndex] !== result.ruleId) problems.push(`${at}: ruleIndex points at another rule`);
      const text = obj(result?.message)?.text;
      if (typeof text !== 'string' || !text) problems.push(`${at}: message.text missing`);
      const level = result?.level ?? 'warning';
      if (!['error', 'warning', 'note', 'none'].includes(String(level))) problems.push(`${at}: level ${String(level)}`);
      const kind = result?.kind ?? 'fail';
      if (kind !== 'fail' && level !== 'none') problems.push(`${at}: kind ${String(kind)} with level ${String(level)} (must be none)`);
      const locations = arr(result?.locations) ?? [];
      if (locations.length < 1 || locations.length > 10) {
        problems.push(`${at}: ${locations.length} locations (1 to 10 needed)`);
        return;
      }
      locations.forEach((locationValue, l) => {
        const physical = obj(obj(locationValue)?.physicalLocation);
        const uri = obj(physical?.artifactLocation)?.uri;
        if (typeof uri !== 'string' || !uri) {
          problems.push(`${at} location ${l}: no physicalLocation.artifactLocation.uri`);
          return;
        }
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1];
        if (scheme && scheme !== 'file') problems.push(`${at} location ${l}: uri scheme ${scheme} (relative or file:// only)`);
        if (/\s/.test(uri)) problems.push(`${at} location ${l}: uri not encoded`);
        const startLine = obj(physical?.region)?.startLine;
        if (startLine !== undefined && !(Number.isInteger(startLine) && (startLine as number) >= 1)) problems.push(`${at} location ${l}: region.startLine ${String(startLine)}`);
      });
    });
  });
  return problems;
}

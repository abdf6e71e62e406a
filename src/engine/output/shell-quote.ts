/**
 * Quotes one argument for POSIX sh, for command lines a user copies (Bulkhead itself never runs
 * a shell string): bare when made only of safe characters, else single-quoted.
 */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

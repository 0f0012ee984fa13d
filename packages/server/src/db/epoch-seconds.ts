/** Now, in whole seconds since 1970 (how every `*_at` column is stored, as in Open WebUI). */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

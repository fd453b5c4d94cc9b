/** Short forms used in tables and progress lines. */

/** `sha256:0fd177ca2f4a…` → `0fd177ca2f4a`. */
export function shortDigest(d: string | null | undefined): string {
  return d ? d.replace('sha256:', '').slice(0, 12) : '—';
}

/** `arn:aws:sts::1:assumed-role/deployer/alice` → `deployer/alice`. */
export function shortActor(arn: string | null | undefined): string {
  if (!arn) return '—';
  const m = /:(?:assumed-role|user|role)\/(.+)$/.exec(arn);
  return m?.[1] ?? arn;
}

export function hhmmss(d: Date | number | undefined): string {
  if (d === undefined) return '--:--:--';
  return new Date(d).toISOString().slice(11, 19);
}

/** A UTC time for tags and file names: 20261127T120000Z. */
export function compactTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

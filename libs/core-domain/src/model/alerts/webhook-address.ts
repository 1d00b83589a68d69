/**
 * Where a webhook may point (SSRF rules): `https` only, no credentials, at most 2,048 characters,
 * and never a loopback, private, link-local, unspecified or metadata address, in any spelling
 * (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, IPv4-mapped IPv6 `::ffff:127.0.0.1`).
 * The same address rule is applied again to what the host name resolves to at each delivery.
 */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Parses an IPv4 address in the forms inet_aton accepts (1 to 4 parts, decimal, octal or hex). */
export function parseIpv4(host: string): number | undefined {
  const parts = host.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return undefined;
    if (!Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums[nums.length - 1]!;
  const head = nums.slice(0, -1);
  if (head.some((n) => n > 255)) return undefined;
  if (last >= 2 ** (8 * (5 - nums.length))) return undefined;
  let value = 0;
  head.forEach((n, i) => (value += n * 2 ** (8 * (3 - i))));
  return value + last;
}

function inRange(ip: number, base: string, bits: number): boolean {
  const b = parseIpv4(base)!;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(b / size);
}

/** True when an IPv4 address (as a 32-bit number) is not public. */
function ipv4Private(ip: number): boolean {
  return (
    inRange(ip, '0.0.0.0', 8) ||
    inRange(ip, '10.0.0.0', 8) ||
    inRange(ip, '100.64.0.0', 10) ||
    inRange(ip, '127.0.0.0', 8) ||
    inRange(ip, '169.254.0.0', 16) ||
    inRange(ip, '172.16.0.0', 12) ||
    inRange(ip, '192.0.0.0', 24) ||
    inRange(ip, '192.168.0.0', 16) ||
    inRange(ip, '198.18.0.0', 15) ||
    ip >= parseIpv4('224.0.0.0')!
  );
}

/** Parses an IPv6 address (no brackets; an embedded IPv4 tail allowed) into 8 groups. */
export function parseIpv6(raw: string): number[] | undefined {
  let host = raw.toLowerCase();
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(host) || !host.includes(':')) return undefined;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = host.lastIndexOf(':');
  const v4 = host.slice(lastColon + 1);
  if (v4.includes('.')) {
    if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return undefined;
    const bytes = v4.split('.').map(Number);
    if (bytes.some((x) => x > 255)) return undefined;
    const hi = (bytes[0]! * 256 + bytes[1]!).toString(16);
    const lo = (bytes[2]! * 256 + bytes[3]!).toString(16);
    host = `${host.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = host.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  const parse = (g: string) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
  const l = left.map(parse);
  const r = right.map(parse);
  if ([...l, ...r].some(Number.isNaN)) return undefined;
  const missing = 8 - l.length - r.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...l, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...r];
}

function ipv6Private(g: number[]): boolean {
  const zeroHead = g.slice(0, 5).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judge the IPv4 address.
  if (zeroHead && (g[5] === 0xffff || g[5] === 0)) {
    const v4 = g[6]! * 65536 + g[7]!;
    if (g[5] === 0xffff || v4 > 1) return ipv4Private(v4);
  }
  if (g.every((x) => x === 0)) return true; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true; // ::1
  if ((g[0]! & 0xfe00) === 0xfc00) return true; // fc00::/7 (unique local, incl. fd00:ec2::254)
  if ((g[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0]! & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x64 && g[1] === 0xff9b) return ipv4Private(g[6]! * 65536 + g[7]!); // NAT64
  return false;
}

/** True when an address literal (IPv4 in any inet_aton form, or IPv6) is loopback, private, link-local or metadata. */
export function isPrivateAddress(address: string): boolean {
  const host = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return ipv4Private(v4);
  const v6 = parseIpv6(host);
  if (v6 !== undefined) return ipv6Private(v6);
  return false;
}

/** Host names that always mean this machine or the cloud's metadata service. */
const LOCAL_NAMES = /^(localhost|localhost\.localdomain|metadata\.google\.internal|instance-data)\.?$/i;

/** Why a webhook URL is refused, or undefined when it may be used (the host may still resolve badly). */
export function webhookUrlProblem(raw: unknown, allowPrivate: boolean): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0) return 'must be a URL';
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'must use https';
  if (allowPrivate) return undefined;
  const host = url.hostname;
  if (LOCAL_NAMES.test(host) || host.endsWith('.localhost')) return 'must not point at this machine';
  if (isPrivateAddress(host)) return 'must not point at a loopback, private, link-local or metadata address';
  return undefined;
}

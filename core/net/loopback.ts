import { isIP } from 'node:net';

/**
 * Whether a host name or address means "this machine" over loopback: localhost, 127.0.0.0/8, ::1
 * (also spelled out or IPv4-mapped). Brackets around IPv6 literals are accepted.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

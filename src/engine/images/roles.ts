import type { ComposeContext } from '../compose/context';
import type { ComposeService } from '../compose/service';
import { listEntries } from '../compose/checks';
import { scalarString } from '../compose/values';

/** Image names of VPN and tunnel software (WireGuard, OpenVPN, gluetun, Tailscale, IPsec…). */
const VPN_IMAGE = /(?:^|[/_-])(?:wireguard|wg-easy|openvpn|ovpn|gluetun|tailscale|headscale|netbird|zerotier|strongswan|ipsec|softether|nebula|vpn)(?:$|[/_:.-])/i;

/**
 * A service that runs a VPN or tunnel: it needs NET_ADMIN (interfaces, routes), a writable
 * configuration and UDP ports reachable from other hosts. Known by its image name or by the
 * TUN device it maps.
 */
export function isVpnLike(ctx: ComposeContext, s: ComposeService): boolean {
  const image = scalarString(s.get('image')?.value) ?? '';
  if (VPN_IMAGE.test(image)) return true;
  return listEntries(ctx, s.get('devices')).some((d) => d.text !== undefined && /^\/dev\/net\/tun(?::|$)/.test(d.text));
}

package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrUnsafeCallback is wrapped by the errors Publisher returns when it
// refuses a callback URL: a scheme other than https, a host outside the
// allow-list, or an address that is not public (see PublisherOptions).
var ErrUnsafeCallback = errors.New("provider: unsafe callback URL")

// Resolver looks up the addresses of a host. *net.Resolver implements it;
// tests inject fakes to simulate DNS answers, including rebinding.
type Resolver interface {
	// LookupNetIP returns the addresses of host for network "ip".
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// unsafeError is a refusal by the SSRF guard.
type unsafeError struct{ reason string }

// Error implements error.
func (e *unsafeError) Error() string { return "provider: unsafe callback URL: " + e.reason }

// Unwrap makes errors.Is(err, ErrUnsafeCallback) hold.
func (e *unsafeError) Unwrap() error { return ErrUnsafeCallback }

var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),      // CGNAT (also Alibaba's metadata 100.100.100.200)
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved, broadcast
	netip.MustParsePrefix("fec0::/10"),          // deprecated site-local
	netip.MustParsePrefix("100::/64"),           // discard-only
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS metadata (IPv6), also in fc00::/7
	netip.MustParsePrefix("169.254.169.254/32"), // cloud metadata, also link-local
	netip.MustParsePrefix("168.63.129.16/32"),   // Azure platform endpoint (WireServer), public-looking
	netip.MustParsePrefix("192.0.2.0/24"),       // documentation (TEST-NET-1)
	netip.MustParsePrefix("198.51.100.0/24"),    // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),     // documentation (TEST-NET-3)
	netip.MustParsePrefix("192.88.99.0/24"),     // deprecated 6to4 relay anycast
	netip.MustParsePrefix("::/96"),              // deprecated IPv4-compatible (::a.b.c.d)
	netip.MustParsePrefix("::ffff:0:0:0/96"),    // SIIT IPv4-translated
	netip.MustParsePrefix("64:ff9b:1::/48"),     // local-use NAT64, embeds IPv4 anywhere
	netip.MustParsePrefix("2001::/23"),          // IETF protocol assignments, Teredo (2001::/32) included
	netip.MustParsePrefix("2001:db8::/32"),      // documentation
}

// Prefixes embedding an IPv4 address that is checked in turn.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// checkAddr reports why ip must not be dialled, or nil.
func checkAddr(ip netip.Addr, allowLoopback bool) error {
	if !ip.IsValid() {
		return &unsafeError{"invalid address"}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip):
			return checkAddr(netip.AddrFrom4([4]byte(b[12:16])), allowLoopback)
		case sixToFour.Contains(ip):
			return checkAddr(netip.AddrFrom4([4]byte(b[2:6])), allowLoopback)
		}
	}
	reason := ""
	switch {
	case ip.IsLoopback():
		if allowLoopback {
			return nil
		}
		reason = "loopback"
	case ip.IsUnspecified():
		reason = "unspecified"
	case ip.IsPrivate():
		reason = "private"
	case ip.IsLinkLocalUnicast():
		reason = "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		reason = "multicast"
	}
	if reason == "" {
		for _, p := range blockedPrefixes {
			if p.Contains(ip) {
				reason = "non-public (" + p.String() + ")"
				break
			}
		}
	}
	if reason != "" {
		return &unsafeError{fmt.Sprintf("address %s is %s", ip, reason)}
	}
	return nil
}

// guard checks callback URLs and the addresses they resolve to.
type guard struct {
	suffixes      []string
	allowLoopback bool
	allowHTTP     bool
	resolver      Resolver
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
}

// checkURL checks the scheme and host of a callback URL before any request.
func (g *guard) checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && g.allowHTTP:
	default:
		return &unsafeError{fmt.Sprintf("scheme %q is not https", u.Scheme)}
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return &unsafeError{"no host"}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := checkAddr(ip, g.allowLoopback); err != nil {
			return err
		}
		if g.allowLoopback && ip.Unmap().IsLoopback() {
			return nil
		}
	} else if g.allowLoopback && host == "localhost" {
		return nil
	}
	if !g.hostAllowed(host) {
		return &unsafeError{fmt.Sprintf("host %q is not in the allow-list", host)}
	}
	return nil
}

func (g *guard) hostAllowed(host string) bool {
	for _, s := range g.suffixes {
		s = strings.TrimPrefix(strings.ToLower(s), ".")
		if s == "*" || host == s || strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	return false
}

// dialContext resolves addr's host, refuses it unless every address is
// public, and dials the checked address itself — never the name again — so a
// DNS answer that changes between check and connect (rebinding) is useless.
func (g *guard) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	for _, ip := range ips {
		if err := checkAddr(ip, g.allowLoopback); err != nil {
			return nil, err
		}
	}
	var firstErr error
	for _, ip := range ips {
		conn, err := g.dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// control is a net.Dialer Control function: the last check, on the address
// the socket is about to connect to.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &unsafeError{"unparsable address " + address}
	}
	return checkAddr(ap.Addr(), g.allowLoopback)
}

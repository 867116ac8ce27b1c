// Placeholder until the address module lands (being written now).
export type SocketAddress = { readonly family: 'ipv4' | 'ipv6' | 'unix'; toString(): string };

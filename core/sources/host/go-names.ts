// Navidrome reports runtime.GOOS / runtime.GOARCH, so the same host must read the
// same here. Names Go has no counterpart for pass through unchanged rather than
// being guessed.

const GOOS_BY_NODE_PLATFORM: Record<string, string> = {
  aix: 'aix',
  android: 'android',
  darwin: 'darwin',
  freebsd: 'freebsd',
  linux: 'linux',
  netbsd: 'netbsd',
  openbsd: 'openbsd',
  // Node says sunos for both Solaris and illumos; Go splits them, and Solaris is the
  // name Go used before illumos existed, so it is the safer guess.
  sunos: 'solaris',
  win32: 'windows',
  // A Go binary started from Cygwin is still a Windows binary.
  cygwin: 'windows',
};

const GOARCH_BY_NODE_ARCH: Record<string, string> = {
  arm: 'arm',
  arm64: 'arm64',
  ia32: '386',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  mips64: 'mips64',
  mips64el: 'mips64le',
  riscv64: 'riscv64',
  s390x: 's390x',
  x64: 'amd64',
};

export function goOS(platform: string): string {
  return GOOS_BY_NODE_PLATFORM[platform] ?? platform;
}

export function goArch(arch: string, endianness: 'BE' | 'LE'): string {
  // Node has one name for both byte orders of 64-bit POWER; Go has two.
  if (arch === 'ppc64') return endianness === 'LE' ? 'ppc64le' : 'ppc64';
  return GOARCH_BY_NODE_ARCH[arch] ?? arch;
}

/**
 * Reads etcd's version from its source tree (`Version = "3.4.23"` in version.go).
 *
 * @example
 * parseEtcdVersion('Version = "3.6.1"'); // { text: "3.6.1", major: 3, minor: 6 }
 */
export interface EtcdVersion {
  text: string;
  major: number;
  minor: number;
}

export function parseEtcdVersion(versionGo: string): EtcdVersion | undefined {
  const match = /\bVersion\s*=\s*"(\d+)\.(\d+)\.([0-9A-Za-z.+-]+)"/.exec(versionGo);
  if (!match) return undefined;
  return { text: `${match[1]}.${match[2]}.${match[3]}`, major: Number(match[1]), minor: Number(match[2]) };
}

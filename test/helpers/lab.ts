import { readFileSync } from 'node:fs';

/** Where scripts/lab/up.sh writes the connection details of the running lab. */
export const LAB_JSON = process.env.SWEEPWATCH_LAB_JSON ?? '/var/lib/slurm-lab/lab.json';

/** The lab's connection details, as written by scripts/lab/up.sh. */
export interface LabInfo {
  readonly ssh: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly privateKeyPath: string;
    readonly knownHostsPath: string;
    /** A known_hosts line: `[127.0.0.1]:2222 ssh-ed25519 AAAA…` */
    readonly knownHostsLine: string;
    /** OpenSSH format: `SHA256:…` (base64, no padding) */
    readonly hostKeySha256: string;
    readonly hostKeySha256Hex: string;
    /** The raw public key blob, base64. */
    readonly hostKeyBlobB64: string;
  };
  /** A second cluster user whose jobs sweepwatch must never touch. */
  readonly otherUser: { readonly user: string; readonly privateKeyPath: string };
  readonly cluster: string;
  readonly account: string;
  readonly nodeName: string;
  readonly partitions: { readonly default: string; readonly down: string };
  readonly cgroupMode: 'v1' | 'none';
}

export function readLab(path = LAB_JSON): LabInfo {
  return JSON.parse(readFileSync(path, 'utf8')) as LabInfo;
}

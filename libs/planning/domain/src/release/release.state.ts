import type { ReleaseWindow } from './release.commands';

export interface ScopeItem {
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  /** Emergency patches and post-commit exceptions. */
  readonly unplanned: boolean;
}

export type ReleaseKind = 'train' | 'emergency';

export type Release =
  | { readonly status: 'Unplanned' }
  | {
      readonly status: 'Planning';
      readonly releaseId: string;
      readonly trainId: string;
      readonly window: ReleaseWindow;
      /** Scope negotiation outcome, fed to allocation as `negotiated`. */
      readonly negotiated: {
        readonly include: readonly string[];
        readonly exclude: readonly string[];
      };
    }
  | {
      readonly status: 'ScopeCommitted';
      readonly releaseId: string;
      /** The train, or for an emergency patch the independent track. */
      readonly trainId: string;
      readonly kind: ReleaseKind;
      readonly scope: readonly ScopeItem[];
      readonly capacityTotal: number;
    }
  | {
      readonly status: 'Released';
      readonly releaseId: string;
      readonly trainId: string;
      readonly kind: ReleaseKind;
      readonly closedAt: string;
    }
  | { readonly status: 'Cancelled'; readonly releaseId: string; readonly trainId: string };

export const initialRelease = (): Release => ({ status: 'Unplanned' });

export const scopeUsed = (scope: readonly ScopeItem[]): number =>
  scope.reduce((sum, s) => sum + s.jobSize, 0);

/** Grids: a 15-digit code that starts with its community's code, the leader, and non-negative people counts. */
import { P } from './problems.js';
import type { PropReader } from './properties.js';

export function readGrid(r: PropReader) {
  const code = r.code('code', 15, true) as string | undefined;
  const communityCode = r.code('communityCode', 12, true) as string | undefined;
  if (code && communityCode && !code.startsWith(communityCode)) {
    r.problem(
      P(
        `网格编码 ${code} 应以所属社区编码 ${communityCode} 开头（社区编码 + 3 位序号）`,
        `grid code ${code} must start with its communityCode ${communityCode} (community code + 3-digit sequence)`,
      ),
    );
  }
  return {
    code,
    name: r.string('name', true),
    communityCode,
    leaderName: r.string('leaderName', true),
    leaderPhone: r.string('leaderPhone', true, true),
    partyBranch: r.string('partyBranch', false),
    population: r.nonNegativeInt('population'),
    households: r.nonNegativeInt('households'),
  };
}

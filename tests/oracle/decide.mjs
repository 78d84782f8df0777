// The independent IAM evaluator the tests hold the app to: @cloud-copilot/iam-simulate (pinned in
// package-lock.json; AGPL-3.0, a test tool only, never shipped with the app).
//
// Reads a JSON array of cases on stdin and writes one answer per case, in order, as a JSON array on stdout.
// A case: { identityPolicies: [doc], boundaryPolicies: [doc], resourcePolicy: doc|null, principal,
//           action, resource, accountId, context: { key: value | [values] } }
// An answer: { decision: "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied", ignoredContextKeys: [...] }
//         or { error: "what the evaluator refused (a malformed policy, an unknown action, ...)" }
// Always Strict mode: the request is evaluated exactly as given, nothing is assumed about missing keys.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const named = (docs, prefix) => (docs || []).map((policy, i) => ({ name: `${prefix}${i}`, policy }))

async function decide(c) {
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.accountId },
      contextVariables: c.context || {},
    },
    identityPolicies: named(c.identityPolicies, 'identity'),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy || undefined,
    permissionBoundaryPolicies: c.boundaryPolicies && c.boundaryPolicies.length ? named(c.boundaryPolicies, 'boundary') : undefined,
  }
  const out = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (out.resultType === 'error') return { error: JSON.stringify(out.errors) }
  if (out.resultType !== 'single') return { error: `the resource ${c.resource} was read as a pattern, not one resource` }
  return { decision: out.overallResult, ignoredContextKeys: out.result.ignoredContextKeys || [] }
}

let input = ''
process.stdin.setEncoding('utf8')
for await (const chunk of process.stdin) input += chunk
const cases = JSON.parse(input)
const answers = []
for (const c of cases) {
  try {
    answers.push(await decide(c))
  } catch (e) {
    answers.push({ error: String(e && e.stack ? e.stack : e) })
  }
}
process.stdout.write(JSON.stringify(answers))

// Compliance read models: policies, evaluations, reviews, the audit ledger, findings.
export {};

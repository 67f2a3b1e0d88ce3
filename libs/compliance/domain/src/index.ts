// Compliance domain: policies as code, evaluations with explanations, reviews and sign-offs, retention, sampling.
export {};

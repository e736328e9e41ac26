// Gateways: everything that leaves the process — Standard Webhooks signing and durable
// delivery, SMTP and HTTP providers, rate limits, retries and circuit breakers.
// Empty until the webhooks issue; the target exists so the module graph is in place.

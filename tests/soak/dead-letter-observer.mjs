// The soak's window on the dead-letter queue: a Worker that consumes it and logs one structured line per letter
// (the event id, source and the origin's status; never the event). wrangler dev runs it beside the gateway;
// locally, a message sent to a queue without a consumer would be dropped unseen.
export default {
  async queue(batch) {
    for (const message of batch.messages) {
      const letter = message.body && typeof message.body === "object" ? message.body : {};
      const line = {
        kind: "dead_letter_observed",
        id: typeof letter.id === "string" ? letter.id : null,
        source: typeof letter.source === "string" ? letter.source : null,
        origin_status: Number.isInteger(letter.origin_status) ? letter.origin_status : null,
        outcome: "observed",
        attempts: message.attempts,
        duration_ms: 0,
      };
      console.log(JSON.stringify(line));
      message.ack();
    }
  },
  async fetch() {
    return new Response("not found", { status: 404 });
  },
};

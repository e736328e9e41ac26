/// The OpenAPI 3.1 description of every HTTP route the hub serves, at `/api/v1/openapi.json`.
enum OpenAPIDocument {
    static let json = #"""
{"openapi":"3.1.0",
"info":{"title":"Switchboard","version":"1.0.0","description":"REST side door of the Switchboard real-time messaging hub. WebSocket protocol: GET /v1/ws (see docs/protocol.md)."},
"servers":[{"url":"/"}],
"security":[{"bearer":[]}],
"components":{
 "securitySchemes":{"bearer":{"type":"http","scheme":"bearer","description":"A JWT signed by the hub (HS256) or an sk_ API key."}},
 "parameters":{"topic":{"name":"topic","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9_.@=+:-]{1,128}$"},"example":"chat:8f2c"}},
 "schemas":{
  "Error":{"type":"object","required":["error"],"properties":{"error":{"type":"object","required":["code","message"],"properties":{"code":{"type":"string","enum":["bad_request","unauthorized","forbidden","not_found","conflict","rate_limited","too_large","unavailable","internal"]},"message":{"type":"string"}}}}},
  "Position":{"type":"object","required":["offset","epoch"],"properties":{"offset":{"type":"integer","minimum":1},"epoch":{"type":"string"}}},
  "Event":{"type":"object","required":["topic","offset","epoch","time","name","data"],"properties":{"topic":{"type":"string"},"offset":{"type":"integer"},"epoch":{"type":"string"},"time":{"type":"string","format":"date-time"},"name":{"type":"string"},"data":{}}},
  "Events":{"type":"object","required":["epoch","offset","events"],"properties":{"epoch":{"type":"string"},"offset":{"type":"integer","minimum":0},"events":{"type":"array","items":{"$ref":"#/components/schemas/Event"}}}},
  "WebhookEndpoint":{"type":"object","required":["id","url","events","topics","enabled","created_at","updated_at"],"properties":{"id":{"type":"string","example":"ep_3kT9"},"url":{"type":"string","format":"uri"},"events":{"type":"array","items":{"type":"string"},"example":["ticket.*"]},"topics":{"type":"array","items":{"type":"string"},"description":"Topic or namespace patterns; empty: every topic"},"description":{"type":"string"},"enabled":{"type":"boolean"},"disabled_reason":{"type":"string"},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"},"secret":{"type":"string","description":"whsec_...; only in the answers of create and rotate-secret"}}},
  "WebhookEndpointInput":{"type":"object","properties":{"url":{"type":"string","description":"http or https; internal addresses are refused unless allowed by SWITCHBOARD_WEBHOOK_ALLOW"},"events":{"type":"array","minItems":1,"maxItems":32,"items":{"type":"string"}},"topics":{"type":"array","maxItems":32,"items":{"type":"string"}},"description":{"type":["string","null"],"maxLength":512},"enabled":{"type":"boolean"}}},
  "WebhookAttempt":{"type":"object","required":["message_id","endpoint_id","attempted_at","duration_ms","succeeded"],"properties":{"message_id":{"type":"string"},"endpoint_id":{"type":"string"},"attempted_at":{"type":"string","format":"date-time"},"status_code":{"type":"integer"},"duration_ms":{"type":"integer"},"error":{"type":"string"},"succeeded":{"type":"boolean"}}},
  "Ticket":{"type":"object","required":["id","topic","subject","queue","priority","status","tags","comments","created_at","updated_at"],"properties":{"id":{"type":"string","example":"T-7K2M9QX4BD"},"topic":{"type":"string","example":"ticket:T-7K2M9QX4BD"},"subject":{"type":"string"},"queue":{"type":"string"},"priority":{"type":"string","enum":["low","normal","high","urgent"]},"status":{"type":"string","enum":["new","open","pending","on_hold","solved","closed"]},"requester":{"type":"string"},"assignee":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"comments":{"type":"integer"},"notes":{"type":"integer","description":"Internal notes; shown to staff only"},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"}}},
  "Chat":{"type":"object","required":["id","topic","queue","status","customer","messages","last_read","created_at","updated_at"],"properties":{"id":{"type":"string","example":"C-7K2M9QX4BD"},"topic":{"type":"string","example":"chat:C-7K2M9QX4BD"},"queue":{"type":"string"},"subject":{"type":"string"},"status":{"type":"string","enum":["open","closed"]},"customer":{"type":"string"},"agent":{"type":"string"},"ticket":{"type":"string"},"messages":{"type":"integer"},"last_read":{"type":"array","items":{"type":"object","properties":{"user":{"type":"string"},"offset":{"type":"integer"}}}},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"}}},
  "Article":{"type":"object","required":["id","title","body","tags","locale","created_at","updated_at"],"properties":{"id":{"type":"string","example":"kb_7k2m9qx4bd"},"title":{"type":"string"},"body":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"locale":{"type":"string","example":"en"},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"}}},
  "Presence":{"type":"object","required":["clients"],"properties":{"clients":{"type":"array","items":{"type":"object","properties":{"client":{"type":"string"},"user":{"type":"string"},"info":{}}}}}}
 },
 "responses":{
  "BadRequest":{"description":"Malformed input","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "Unauthorized":{"description":"Missing or invalid token","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "Forbidden":{"description":"Not allowed on this topic","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "NotFound":{"description":"Unknown namespace","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "TooLarge":{"description":"Body over the limit","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "Unprocessable":{"description":"Valid JSON that fails validation","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "RateLimited":{"description":"Too many requests","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},
  "Unavailable":{"description":"The store is unusable or the hub is shutting down","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}}
 }},
"paths":{
 "/healthz":{"get":{"summary":"Liveness","security":[],"responses":{"200":{"description":"The process is up"}}}},
 "/readyz":{"get":{"summary":"Readiness: the store answers and the hub is not draining","security":[],"responses":{"200":{"description":"Ready"},"503":{"$ref":"#/components/responses/Unavailable"}}}},
 "/metrics":{"get":{"summary":"Prometheus metrics","security":[],"responses":{"200":{"description":"Text exposition format","content":{"text/plain":{}}}}}},
 "/api/v1/openapi.json":{"get":{"summary":"This document","security":[],"responses":{"200":{"description":"OpenAPI 3.1"}}}},
 "/api/v1/topics/{topic}/events":{
  "parameters":[{"$ref":"#/components/parameters/topic"}],
  "post":{"summary":"Publish an event; answered after it is committed","parameters":[{"name":"Idempotency-Key","in":"header","schema":{"type":"string","maxLength":128},"description":"The same key on the same topic within 24 h returns the first result and stores nothing."}],
   "requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1,"maxLength":128},"data":{}}}}}},
   "responses":{"201":{"description":"Committed","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Position"}}}},"400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"},"413":{"$ref":"#/components/responses/TooLarge"},"422":{"$ref":"#/components/responses/Unprocessable"},"429":{"$ref":"#/components/responses/RateLimited"},"503":{"$ref":"#/components/responses/Unavailable"}}},
  "get":{"summary":"Read history: after `since` when given, else the newest `limit` events",
   "parameters":[{"name":"since","in":"query","schema":{"type":"integer","minimum":0}},{"name":"epoch","in":"query","schema":{"type":"string"},"description":"With since: when it is not the topic's epoch, history is read from its start."},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":1000,"default":100}}],
   "responses":{"200":{"description":"Events, oldest first","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Events"}}}},"400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"},"429":{"$ref":"#/components/responses/RateLimited"}}}},
 "/api/v1/topics/{topic}/presence":{
  "parameters":[{"$ref":"#/components/parameters/topic"}],
  "get":{"summary":"Who is subscribed now","responses":{"200":{"description":"Subscribers","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Presence"}}}},"400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/webhooks/endpoints":{
  "post":{"summary":"Create a webhook endpoint (admin or service); the answer shows its secret once","requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/WebhookEndpointInput"}}}},
   "responses":{"201":{"description":"Created","content":{"application/json":{"schema":{"$ref":"#/components/schemas/WebhookEndpoint"}}}},"400":{"$ref":"#/components/responses/BadRequest"},"401":{"$ref":"#/components/responses/Unauthorized"},"403":{"$ref":"#/components/responses/Forbidden"},"422":{"$ref":"#/components/responses/Unprocessable"}}},
  "get":{"summary":"List webhook endpoints","responses":{"200":{"description":"Endpoints","content":{"application/json":{"schema":{"type":"object","properties":{"endpoints":{"type":"array","items":{"$ref":"#/components/schemas/WebhookEndpoint"}}}}}}},"401":{"$ref":"#/components/responses/Unauthorized"},"403":{"$ref":"#/components/responses/Forbidden"}}}},
 "/api/v1/webhooks/endpoints/{id}":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "get":{"summary":"One endpoint","responses":{"200":{"description":"The endpoint","content":{"application/json":{"schema":{"$ref":"#/components/schemas/WebhookEndpoint"}}}},"404":{"$ref":"#/components/responses/NotFound"}}},
  "patch":{"summary":"Change an endpoint; re-enabling clears the hub's reason for disabling it","requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/WebhookEndpointInput"}}}},"responses":{"200":{"description":"The endpoint","content":{"application/json":{"schema":{"$ref":"#/components/schemas/WebhookEndpoint"}}}},"404":{"$ref":"#/components/responses/NotFound"},"422":{"$ref":"#/components/responses/Unprocessable"}}},
  "delete":{"summary":"Delete an endpoint with its messages and attempts","responses":{"204":{"description":"Deleted"},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/webhooks/endpoints/{id}/rotate-secret":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"New secret; the previous one keeps signing for the overlap window (24 h by default)","responses":{"200":{"description":"The endpoint with its new secret","content":{"application/json":{"schema":{"$ref":"#/components/schemas/WebhookEndpoint"}}}},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/webhooks/endpoints/{id}/replay":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}},{"name":"since","in":"query","schema":{"type":"string"},"description":"RFC 3339 time or Unix milliseconds; default: all"}],
  "post":{"summary":"Send again every failed message of the endpoint created since a time","responses":{"202":{"description":"How many","content":{"application/json":{"schema":{"type":"object","properties":{"replayed":{"type":"integer"}}}}}},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/webhooks/messages/{id}/replay":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Send one message again (same webhook-id, fresh retry schedule)","responses":{"202":{"description":"Queued"},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/webhooks/deliveries":{
  "get":{"summary":"Delivery attempts, newest first","parameters":[{"name":"endpoint","in":"query","schema":{"type":"string"}},{"name":"status","in":"query","schema":{"type":"string","enum":["succeeded","failed"]}},{"name":"since","in":"query","schema":{"type":"string"},"description":"RFC 3339 time or Unix milliseconds"},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":1000,"default":100}}],
   "responses":{"200":{"description":"Attempts","content":{"application/json":{"schema":{"type":"object","properties":{"deliveries":{"type":"array","items":{"$ref":"#/components/schemas/WebhookAttempt"}}}}}}},"400":{"$ref":"#/components/responses/BadRequest"}}}},
 "/api/v1/support/chats":{
  "post":{"summary":"Open a chat (a customer's is their own; staff name the customer); assigned by the queue's policy","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","properties":{"queue":{"type":"string","default":"general"},"subject":{"type":"string","maxLength":200},"customer":{"type":"string"}}}}}},
   "responses":{"201":{"description":"Created","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Chat"}}}},"401":{"$ref":"#/components/responses/Unauthorized"},"422":{"$ref":"#/components/responses/Unprocessable"}}},
  "get":{"summary":"Chats, newest first (a customer's own, an agent's queues)","parameters":[{"name":"status","in":"query","schema":{"type":"string","enum":["open","closed"]}},{"name":"queue","in":"query","schema":{"type":"string"}},{"name":"agent","in":"query","schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":200,"default":50}},{"name":"cursor","in":"query","schema":{"type":"string"}}],
   "responses":{"200":{"description":"A page","content":{"application/json":{"schema":{"type":"object","properties":{"chats":{"type":"array","items":{"type":"object"}},"next_cursor":{"type":"string"}}}}}},"403":{"$ref":"#/components/responses/Forbidden"}}}},
 "/api/v1/support/chats/{id}":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "get":{"summary":"One chat (participants)","responses":{"200":{"description":"The chat","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Chat"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/support/chats/{id}/messages":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Post a message as the caller (message.created)","parameters":[{"name":"Idempotency-Key","in":"header","schema":{"type":"string"}}],"requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["text"],"properties":{"text":{"type":"string","maxLength":4000}}}}}},
   "responses":{"201":{"description":"The committed event","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Event"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"},"409":{"description":"Closed"},"422":{"$ref":"#/components/responses/Unprocessable"}}},
  "get":{"summary":"The transcript: messages among the next limit events after since","parameters":[{"name":"since","in":"query","schema":{"type":"integer","minimum":0,"default":0}},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":1000,"default":100}}],
   "responses":{"200":{"description":"Messages","content":{"application/json":{"schema":{"type":"object","properties":{"messages":{"type":"array","items":{"$ref":"#/components/schemas/Event"}},"next_since":{"type":["integer","null"]}}}}}},"403":{"$ref":"#/components/responses/Forbidden"}}}},
 "/api/v1/support/chats/{id}/read":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Move the caller's last-read offset forward (chat.read)","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["offset"],"properties":{"offset":{"type":"integer","minimum":1}}}}}},
   "responses":{"200":{"description":"The last-read offset in force"},"403":{"$ref":"#/components/responses/Forbidden"}}}},
 "/api/v1/support/chats/{id}/transfer":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Hand the chat to an agent (staff)","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["agent"],"properties":{"agent":{"type":"string"}}}}}},
   "responses":{"200":{"description":"The chat","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Chat"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"409":{"description":"Closed"}}}},
 "/api/v1/support/chats/{id}/close":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Close the chat: chat.closed, then every subscription ends with unsubscribed","responses":{"200":{"description":"The chat","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Chat"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"409":{"description":"Closed already"}}}},
 "/api/v1/support/chats/{id}/assist":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Articles and, with an assistant provider, a drafted reply (staff)","responses":{"200":{"description":"The suggestion","content":{"application/json":{"schema":{"type":"object","properties":{"draft":{"type":["string","null"]},"articles":{"type":"array","items":{"type":"object"}},"error":{"type":"object","properties":{"code":{"type":"string","enum":["assistant_timeout","assistant_failed","assistant_invalid_answer"]},"message":{"type":"string"}}}}}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/support/chats/{id}/escalate":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Open a ticket from the chat (staff): the customer requests it, the transcript is its first message","requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{"priority":{"type":"string","enum":["low","normal","high","urgent"]},"subject":{"type":"string"}}}}}},
   "responses":{"201":{"description":"The chat and the ticket","content":{"application/json":{"schema":{"type":"object","properties":{"chat":{"$ref":"#/components/schemas/Chat"},"ticket":{"$ref":"#/components/schemas/Ticket"}}}}}},"403":{"$ref":"#/components/responses/Forbidden"},"409":{"description":"Escalated already"}}}},
 "/api/v1/support/kb/articles":{
  "post":{"summary":"Write an article (staff)","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["title","body"],"properties":{"title":{"type":"string","maxLength":200},"body":{"type":"string","maxLength":100000},"tags":{"type":"array","items":{"type":"string"}},"locale":{"type":"string","default":"en"}}}}}},
   "responses":{"201":{"description":"Created","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Article"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
 "/api/v1/support/kb/articles/{id}":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "get":{"summary":"One article","responses":{"200":{"description":"The article","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Article"}}}},"404":{"$ref":"#/components/responses/NotFound"}}},
  "patch":{"summary":"Change an article (staff); it is reindexed","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","properties":{"title":{"type":"string"},"body":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"locale":{"type":"string"}}}}}},
   "responses":{"200":{"description":"The article","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Article"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"}}},
  "delete":{"summary":"Delete an article (staff)","responses":{"204":{"description":"Deleted"},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"}}}},
 "/api/v1/support/kb/search":{
  "get":{"summary":"Full-text search (FTS5, BM25, prefixes, marked snippets)","parameters":[{"name":"q","in":"query","required":true,"schema":{"type":"string","maxLength":500}},{"name":"locale","in":"query","schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":50,"default":10}}],
   "responses":{"200":{"description":"Results, best first","content":{"application/json":{"schema":{"type":"object","properties":{"results":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"title":{"type":"string"},"snippet":{"type":"string"},"score":{"type":"number"}}}}}}}}},"400":{"$ref":"#/components/responses/BadRequest"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
 "/api/v1/support/analytics/agents":{
  "get":{"summary":"Per-agent figures from stored ticket and chat events (supervisor, admin, service)","parameters":[{"name":"from","in":"query","schema":{"type":"string"},"description":"RFC 3339 time or Unix milliseconds; default: 7 days before to"},{"name":"to","in":"query","schema":{"type":"string"},"description":"RFC 3339 time or Unix milliseconds; default: now"}],
   "responses":{"200":{"description":"One row per agent","content":{"application/json":{"schema":{"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"},"agents":{"type":"array","items":{"type":"object","properties":{"agent":{"type":"string"},"tickets_assigned":{"type":"integer"},"tickets_solved":{"type":"integer"},"first_response":{"type":"object","properties":{"count":{"type":"integer"},"median_seconds":{"type":"number"},"p90_seconds":{"type":"number"}}},"resolution":{"type":"object"},"sla_breaches":{"type":"integer"},"chats_handled":{"type":"integer"}}}}}}}}},"400":{"$ref":"#/components/responses/BadRequest"},"403":{"$ref":"#/components/responses/Forbidden"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
 "/api/v1/support/tickets":{
  "post":{"summary":"Open a ticket (a customer's names the customer as requester)","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["subject","body","queue"],"properties":{"subject":{"type":"string","maxLength":200},"body":{"type":"string","maxLength":10000},"priority":{"type":"string","enum":["low","normal","high","urgent"],"default":"normal"},"queue":{"type":"string","pattern":"^[a-z0-9_-]{1,32}$"},"tags":{"type":"array","maxItems":20,"items":{"type":"string"}},"requester":{"type":"string"}}}}}},
   "responses":{"201":{"description":"Created","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Ticket"}}}},"401":{"$ref":"#/components/responses/Unauthorized"},"422":{"$ref":"#/components/responses/Unprocessable"}}},
  "get":{"summary":"Tickets, newest first (a customer's own only)","parameters":[{"name":"status","in":"query","schema":{"type":"string"}},{"name":"queue","in":"query","schema":{"type":"string"}},{"name":"assignee","in":"query","schema":{"type":"string"}},{"name":"priority","in":"query","schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":200,"default":50}},{"name":"cursor","in":"query","schema":{"type":"string"},"description":"next_cursor of the previous page"}],
   "responses":{"200":{"description":"A page","content":{"application/json":{"schema":{"type":"object","properties":{"tickets":{"type":"array","items":{"type":"object"}},"next_cursor":{"type":"string"}}}}}}}}},
 "/api/v1/support/tickets/{id}":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "get":{"summary":"One ticket (staff, or its requester)","responses":{"200":{"description":"The ticket","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Ticket"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"}}},
  "patch":{"summary":"Change status, priority, assignee or tags (staff); status follows the lifecycle","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","properties":{"status":{"type":"string"},"priority":{"type":"string"},"assignee":{"type":["string","null"]},"tags":{"type":"array","items":{"type":"string"}}}}}}},
   "responses":{"200":{"description":"The ticket","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Ticket"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"},"409":{"description":"A transition the lifecycle does not allow","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
 "/api/v1/support/sla-policies/{name}":{
  "parameters":[{"name":"name","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z0-9_-]{1,64}$"}}],
  "put":{"summary":"Set an SLA policy (admin, supervisor, service)","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["priority","first_response_seconds","next_response_seconds","resolution_seconds"],"properties":{"priority":{"type":"string","enum":["low","normal","high","urgent"]},"queue":{"type":"string"},"first_response_seconds":{"type":"integer","minimum":1},"next_response_seconds":{"type":"integer","minimum":1},"resolution_seconds":{"type":"integer","minimum":1},"business_hours":{"type":"object","properties":{"timezone":{"type":"string"},"weekly":{"type":"object"}}}}}}}},
   "responses":{"200":{"description":"The policy"},"403":{"$ref":"#/components/responses/Forbidden"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
 "/api/v1/support/queues/{queue}":{
  "parameters":[{"name":"queue","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z0-9_-]{1,32}$"}}],
  "put":{"summary":"Set how a queue assigns new tickets (admin, supervisor, service)","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["assignment"],"properties":{"assignment":{"type":"object","required":["mode"],"properties":{"mode":{"type":"string","enum":["manual","round_robin","least_loaded"]},"capacity":{"type":"integer","minimum":1}}},"agents":{"type":"array","items":{"type":"string"}}}}}}},
   "responses":{"200":{"description":"The settings"},"403":{"$ref":"#/components/responses/Forbidden"},"422":{"$ref":"#/components/responses/Unprocessable"}}}},
 "/api/v1/support/sla-policies":{
  "get":{"summary":"Every SLA policy (staff)","responses":{"200":{"description":"Policies"},"403":{"$ref":"#/components/responses/Forbidden"}}}},
 "/api/v1/support/tickets/{id}/comments":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "post":{"summary":"Reply, or add an internal note (staff); a customer reply reopens a solved ticket","requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["body"],"properties":{"body":{"type":"string"},"internal":{"type":"boolean","default":false}}}}}},
   "responses":{"201":{"description":"The ticket","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Ticket"}}}},"403":{"$ref":"#/components/responses/Forbidden"},"404":{"$ref":"#/components/responses/NotFound"},"409":{"description":"Closed"}}},
  "get":{"summary":"The first message and the comments, oldest first (notes for staff only)","responses":{"200":{"description":"Events","content":{"application/json":{"schema":{"type":"object","properties":{"comments":{"type":"array","items":{"$ref":"#/components/schemas/Event"}}}}}}},"403":{"$ref":"#/components/responses/Forbidden"}}}}
}}
"""#
}

"""A shared ComfyUI server as a generation backend: one module per responsibility (the
server's address and token, its inventory, the job graph, the answer to queueing it,
the websocket messages and what they mean for a job), none of them Qt or network code."""

"""A shared ComfyUI server as a generation backend: one module per responsibility (the
server's address and token, the job graph, the websocket messages and what they mean
for a job, the server's inventory), none of them Qt or network code."""

import pytest

from animo_desktop.generation.comfyui.queue_answer import (MAX_DETAIL_CHARS, GraphRejected,
                                                           NodeRejection, QueueAnswerError,
                                                           QueuedPrompt, parse_queue_answer)


def test_a_queued_job_gives_its_prompt_id_and_place():
    assert parse_queue_answer(200, {"prompt_id": "p1", "number": 7, "node_errors": {}}) == \
        QueuedPrompt("p1", 7)


def test_a_rejected_graph_gives_the_servers_reasons_per_node():
    # As validate_prompt answers a LoRA the server lacks.
    answer = {"error": {"type": "prompt_outputs_failed_validation",
                        "message": "Prompt outputs failed validation",
                        "details": "Value not in list: ...", "extra_info": {}},
              "node_errors": {"emotion_lora": {"errors": [{
                  "type": "value_not_in_list", "message": "Value not in list",
                  "details": "lora_name: 'joy.safetensors' not in ['anger.safetensors']",
                  "extra_info": {"input_name": "lora_name"}}],
                  "dependent_outputs": ["save"], "class_type": "LoraLoader"}}}
    rejected = parse_queue_answer(400, answer)
    assert rejected == GraphRejected("Prompt outputs failed validation", (NodeRejection(
        "emotion_lora", "LoraLoader",
        ("Value not in list: lora_name: 'joy.safetensors' not in ['anger.safetensors']",)),))
    assert rejected.reason == ("the server rejected the job: LoraLoader (emotion_lora): Value "
                               "not in list: lora_name: 'joy.safetensors' not in "
                               "['anger.safetensors']")


def test_a_graph_error_without_nodes_gives_the_servers_message():
    answer = {"error": {"type": "invalid_prompt", "details": "Node ID '#save'",
                        "message": "Cannot execute because node SaveImageWebsocket does not "
                                   "exist.", "extra_info": {}}, "node_errors": {}}
    assert parse_queue_answer(400, answer).reason == \
        "the server rejected the job: Cannot execute because node SaveImageWebsocket does " \
        "not exist."


def test_a_long_list_of_choices_is_cut():
    details = "lora_name: 'joy.safetensors' not in " + repr([f"lora{i}" for i in range(500)])
    answer = {"error": {"message": "Prompt outputs failed validation"}, "node_errors": {
        "emotion_lora": {"class_type": "LoraLoader",
                         "errors": [{"message": "Value not in list", "details": details}]}}}
    (reason,) = parse_queue_answer(400, answer).nodes[0].reasons
    assert len(reason) == MAX_DETAIL_CHARS and reason.endswith("…")
    assert reason.startswith("Value not in list: lora_name: 'joy.safetensors' not in")


@pytest.mark.parametrize("status, answer, why", [
    (200, {"prompt_id": 5, "number": 1}, "not shaped"),
    (200, {"prompt_id": "p1"}, "not shaped"),
    (200, {"prompt_id": "p1", "number": True}, "not shaped"),
    (200, ["p1"], "not shaped"),
    (400, {"node_errors": {}}, "not shaped"),
    (400, {"error": {"message": "x"}, "node_errors": ["save"]}, "not shaped"),
    (400, {"error": {"message": "x"}, "node_errors": {"2": {"class_type": "K",
                                                             "errors": ["text"]}}}, "not shaped"),
    (500, {"error": "boom"}, "HTTP status 500"),
    (403, "Forbidden", "HTTP status 403"),
])
def test_an_answer_not_shaped_as_comfyuis_is_refused(status, answer, why):
    with pytest.raises(QueueAnswerError, match=why):
        parse_queue_answer(status, answer)

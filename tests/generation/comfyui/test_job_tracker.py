from animo_desktop.generation.comfyui.job_tracker import (JobFailed, JobInterrupted, JobSucceeded,
                                                          JobTracker, PreviewImage, SamplingStep)
from animo_desktop.generation.comfyui.websocket_messages import (Executing, ExecutionError,
                                                                 ExecutionInterrupted,
                                                                 ExecutionSuccess, ImageFrame,
                                                                 Progress, QueueStatus)

PREVIEW = ImageFrame("JPEG", b"\xff\xd8\xff preview")
FINAL = ImageFrame("PNG", b"\x89PNG\r\n\x1a\n final")


def tracker():
    return JobTracker("p1", sampler_node="sampler", output_node="save")


def test_a_job_gives_its_steps_previews_and_then_its_image():
    job = tracker()
    events = [job.on_message(QueueStatus(1, None)),
              job.on_message(Executing("p1", "checkpoint")),
              job.on_message(Executing("p1", "sampler")),
              job.on_message(Progress("p1", "sampler", 1, 4)),
              job.on_image(PREVIEW),
              job.on_message(Progress("p1", "sampler", 4, 4)),
              job.on_message(Executing("p1", "decode")),
              job.on_message(Executing("p1", "save")),
              job.on_message(Progress("p1", "save", 0, 1)),
              job.on_image(FINAL),
              job.on_message(ExecutionSuccess("p1")),
              job.on_message(Executing("p1", None))]
    assert events == [None, None, None, SamplingStep(1, 4), PreviewImage(PREVIEW),
                      SamplingStep(4, 4), None, None, None, None, JobSucceeded(FINAL), None]
    assert job.done


def test_the_end_of_execution_alone_also_finishes_the_job():
    job = tracker()
    job.on_message(Executing("p1", "save"))
    job.on_image(FINAL)
    assert job.on_message(Executing("p1", None)) == JobSucceeded(FINAL)


def test_a_stale_jobs_messages_and_images_before_ours_starts_are_ignored():
    job = tracker()
    assert job.on_image(PREVIEW) is None  # no node of ours executing yet
    for message in (Executing("old", "save"), Progress("old", "sampler", 3, 4),
                    ExecutionError("old", "2", "LoraLoader", "KeyError", "x"),
                    ExecutionInterrupted("old", "6", "KSampler"), ExecutionSuccess("old"),
                    Executing(None, "sampler")):
        assert job.on_message(message) is None
    assert job.on_image(PREVIEW) is None and not job.done


def test_a_server_error_gives_its_own_words():
    job = tracker()
    event = job.on_message(ExecutionError("p1", "emotion_lora", "LoraLoader", "FileNotFoundError",
                                          "joy.safetensors not found"))
    assert isinstance(event, JobFailed) and "joy.safetensors not found" in event.reason
    assert "LoraLoader" in event.reason and job.done
    assert job.on_message(ExecutionSuccess("p1")) is None  # nothing after the end


def test_an_interruption_ends_the_job():
    job = tracker()
    job.on_message(Executing("p1", "sampler"))
    assert job.on_message(ExecutionInterrupted("p1", "sampler", "KSampler")) == JobInterrupted()
    assert job.on_image(PREVIEW) is None


def test_a_job_that_ends_without_its_image_fails():
    job = tracker()
    job.on_message(Executing("p1", "sampler"))
    job.on_image(PREVIEW)
    event = job.on_message(ExecutionSuccess("p1"))
    assert isinstance(event, JobFailed) and "without sending its image" in event.reason

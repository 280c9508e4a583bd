"""Every CI job runs in the image that .ci/Dockerfile pins by digest (Dependabot updates
that file, not the workflows)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def pinned_image() -> str:
    text = (ROOT / ".ci" / "Dockerfile").read_text(encoding="utf-8")
    (image,) = re.findall(r"^FROM (\S+)$", text, re.M)
    return image


def test_the_dockerfile_pins_an_image_by_digest():
    assert re.fullmatch(r"python:3\.11-bookworm@sha256:[0-9a-f]{64}", pinned_image())


def test_every_container_job_uses_the_pinned_image():
    containers = {}
    for workflow in WORKFLOWS:
        for name, job in yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].items():
            image = job.get("container")
            if isinstance(image, dict):
                image = image.get("image")
            if image:
                containers[f"{workflow.name}:{name}"] = image
    assert len(containers) >= 5, containers  # ci (2 jobs), links, mutation, pages
    wrong = {job: image for job, image in containers.items() if image != pinned_image()}
    assert not wrong, f"not the image of .ci/Dockerfile ({pinned_image()}): {wrong}"

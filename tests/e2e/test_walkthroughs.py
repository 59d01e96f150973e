"""The walkthrough recorder (scripts/record_walkthroughs.py, `make videos`) makes small WebM files."""

from __future__ import annotations

from record_walkthroughs import MAX_BYTES, record

WEBM_MAGIC = b"\x1a\x45\xdf\xa3"  # an EBML header: Matroska / WebM


def test_the_recorder_makes_a_small_webm_video(stack, browser, ffmpeg_found, tmp_path):
    assert ffmpeg_found, "Playwright records video with ffmpeg: run `make ffmpeg`"
    made = record(stack, ["api-swagger"], browser=browser, videos=tmp_path, pause_ms=100)

    video = made["api-swagger"]
    assert video == tmp_path / "api-swagger.webm"
    data = video.read_bytes()
    assert data.startswith(WEBM_MAGIC)
    assert b"webm" in data[:64]
    assert 10_000 < len(data) < MAX_BYTES

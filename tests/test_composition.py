"""Composition modes: where artworks go, how they look on the canvas, and that the canvas
comes back pixel for pixel after mode switches, removals and a crash."""

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from PIL import Image

from animo_desktop.composition import (COLLAGE_RULE, LAYERS_RULE, CanvasSpec,
                                       CompositionMode, Placement, ScatterRule, fit, layout,
                                       render_canvas, scatter)
from animo_desktop.emotions import Emotion
from animo_desktop.messages import ArtworkMetadata
from animo_desktop.session import Session, SessionFolder, save_artwork_files

CANVAS = CanvasSpec()
SCATTERED = (CompositionMode.COLLAGE, CompositionMode.LAYERS)
# Time order with gaps, as when the generation queue drops a request now and then.
INDICES = [1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 25]


def artwork(seed: int, size: int = 96) -> Image.Image:
    """A small artwork with structure in every channel, so resampling shows."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), "RGB")


def metadata(seed: int) -> ArtworkMetadata:
    return ArtworkMetadata(created_at="2026-11-22T10:00:00+01:00", emotion=Emotion.JOY,
                           backend="painter", seed=seed, prompt="", generation_ms=1.0)


def total_recent_overlap(placements: dict[int, Placement], recent: int) -> int:
    """How much each artwork covers of the `recent` ones placed just before it."""
    ordered = list(placements.values())
    return sum(placement.overlap(earlier)
               for i, placement in enumerate(ordered)
               for earlier in ordered[max(0, i - recent):i])


def test_every_mode_has_a_value_and_a_display_name():
    assert [mode.value for mode in CompositionMode] == ["collage", "mosaic", "layers"]
    assert [mode.display_name for mode in CompositionMode] == ["Collage", "Mosaic", "Layers"]
    assert CompositionMode("layers") is CompositionMode.LAYERS


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_each_mode_keeps_every_artwork_inside_the_canvas(mode):
    placements = layout(mode, CANVAS, 1234, INDICES)
    assert list(placements) == INDICES
    for p in placements.values():
        assert p.width == p.height > 0
        assert p.x >= 0 and p.y >= 0
        assert p.x + p.width <= CANVAS.width and p.y + p.height <= CANVAS.height


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_each_mode_is_deterministic_for_a_seed(mode):
    first = layout(mode, CANVAS, 1234, INDICES)
    assert layout(mode, CANVAS, 1234, INDICES) == first
    other_seed = layout(mode, CANVAS, 4321, INDICES)
    if mode is CompositionMode.MOSAIC:
        assert other_seed == first  # a grid in time order: nothing random
    else:
        assert other_seed != first


@pytest.mark.parametrize("rule", [COLLAGE_RULE, LAYERS_RULE])
def test_scattered_sides_follow_the_rule_and_positions_are_random(rule: ScatterRule):
    placements = scatter(rule, CANVAS, 99, range(1, 201))
    shortest = min(CANVAS.width, CANVAS.height)
    sides = [p.width for p in placements.values()]
    assert all(rule.min_side * shortest - 1 <= side <= rule.max_side * shortest for side in sides)
    assert max(sides) - min(sides) > 0.5 * (rule.max_side - rule.min_side) * shortest
    assert len({(p.x, p.y) for p in placements.values()}) > 190  # random, not a grid


@pytest.mark.parametrize("mode", SCATTERED)
def test_an_arrival_never_moves_the_artworks_already_there(mode):
    full = layout(mode, CANVAS, 77, INDICES)
    for count in range(len(INDICES)):
        before = layout(mode, CANVAS, 77, INDICES[:count])
        assert before == {index: full[index] for index in INDICES[:count]}


@pytest.mark.parametrize("mode", SCATTERED)
def test_a_removal_never_moves_the_other_artworks(mode):
    full = layout(mode, CANVAS, 77, INDICES)
    for removed in (INDICES[0], INDICES[7], INDICES[-1]):
        remaining = [index for index in INDICES if index != removed]
        assert layout(mode, CANVAS, 77, remaining) == {i: full[i] for i in remaining}


def test_the_collage_puts_each_artwork_where_it_covers_the_fewest_recent_ones():
    # The plain random placement is the first candidate: the same generator, one draw.
    plain_rule = replace(COLLAGE_RULE, candidates=1)
    chosen = plain = 0
    for seed in range(6):
        least = scatter(COLLAGE_RULE, CANVAS, seed, range(1, 41))
        first = scatter(plain_rule, CANVAS, seed, range(1, 41))
        assert [p.width for p in least.values()] == [p.width for p in first.values()]
        least_total = total_recent_overlap(least, COLLAGE_RULE.recent)
        first_total = total_recent_overlap(first, COLLAGE_RULE.recent)
        assert least_total < first_total
        chosen, plain = chosen + least_total, plain + first_total
    assert chosen < 0.6 * plain  # measured about 0.46


def test_layers_spread_over_the_canvas_rather_than_pile_up():
    plain_rule = replace(LAYERS_RULE, candidates=1)
    for seed in range(4):
        spread = scatter(LAYERS_RULE, CANVAS, seed, range(1, 41))
        plain = scatter(plain_rule, CANVAS, seed, range(1, 41))
        assert (total_recent_overlap(spread, LAYERS_RULE.recent)
                < total_recent_overlap(plain, LAYERS_RULE.recent))


def test_the_mosaic_fills_a_centred_grid_in_time_order_without_overlaps():
    placements = layout(CompositionMode.MOSAIC, CANVAS, 1, INDICES)
    cells = list(placements.values())
    assert len({(p.width, p.height) for p in cells}) == 1  # one square cell size
    reading_order = sorted(placements, key=lambda index: (placements[index].y,
                                                          placements[index].x))
    assert reading_order == INDICES
    assert all(a.overlap(b) == 0 for a, b in combinations(cells, 2))
    columns = len({p.x for p in cells})
    assert len({p.y for p in cells}) == -(-len(INDICES) // columns)  # no empty row
    left = min(p.x for p in cells)
    right = CANVAS.width - max(p.x + p.width for p in cells)
    top = min(p.y for p in cells)
    bottom = CANVAS.height - max(p.y + p.height for p in cells)
    assert abs(left - right) <= 1 and abs(top - bottom) <= 1


@pytest.mark.parametrize(("canvas", "count", "columns"), [
    (CANVAS, 1, 1), (CANVAS, 2, 1), (CANVAS, 4, 2), (CANVAS, 25, 5),
    (CanvasSpec(985, 720), 2, 2), (CanvasSpec(985, 720), 3, 2), (CanvasSpec(985, 720), 5, 3)])
def test_the_mosaic_grid_gives_each_cell_the_most_room(canvas, count, columns):
    placements = layout(CompositionMode.MOSAIC, canvas, 1, list(range(1, count + 1)))
    assert len({p.x for p in placements.values()}) == columns
    cell = next(iter(placements.values())).width
    assert cell > 0.85 * min(canvas.width / columns,
                             canvas.height / len({p.y for p in placements.values()}))


def test_the_mosaic_grows_and_cells_only_shrink():
    sides = [layout(CompositionMode.MOSAIC, CANVAS, 1, list(range(1, n + 1)))[1].width
             for n in range(1, 80)]
    assert sides == sorted(sides, reverse=True) and sides[-1] < sides[0]
    assert layout(CompositionMode.MOSAIC, CANVAS, 1, []) == {}


def test_switching_mode_keeps_every_artwork():
    for mode in CompositionMode:
        assert list(layout(mode, CANVAS, 5, INDICES)) == INDICES
    session = Session.new(CANVAS)
    for index in INDICES:
        session.add_artwork(index, metadata(index), f"artworks/{index:04d}-joy.png")
    for mode in [CompositionMode.MOSAIC, CompositionMode.LAYERS, CompositionMode.COLLAGE]:
        session.set_mode(mode)
        assert session.composition is mode
        assert [record.index for record in session.artworks] == INDICES
        assert [record.metadata.seed for record in session.artworks] == INDICES
        expected = layout(mode, CANVAS, session.seed, INDICES)
        assert {record.index: record.placement for record in session.artworks} == expected


def test_a_session_removal_relayouts_and_keeps_the_rest():
    session = Session.new(CANVAS, CompositionMode.MOSAIC)
    for index in INDICES:
        session.add_artwork(index, metadata(index), None)
    removed = session.remove_artwork(INDICES[3])
    assert removed.index == INDICES[3]
    remaining = [index for index in INDICES if index != INDICES[3]]
    assert [record.index for record in session.artworks] == remaining
    # The mosaic closes the gap: artworks after the removed one move up a cell.
    assert ({record.index: record.placement for record in session.artworks}
            == layout(CompositionMode.MOSAIC, CANVAS, session.seed, remaining))
    assert session.next_index == INDICES[-1] + 1
    with pytest.raises(KeyError):
        session.remove_artwork(INDICES[3])


@pytest.mark.parametrize("mode", [CompositionMode.COLLAGE, CompositionMode.MOSAIC])
def test_opaque_modes_fit_the_artwork_as_rgb(mode):
    placement = Placement(3, 4, 150, 150)
    fitted = fit(artwork(1), placement, mode)
    assert fitted.mode == "RGB" and fitted.size == (150, 150)
    expected = artwork(1).resize((150, 150), Image.Resampling.LANCZOS)
    assert fitted.tobytes() == expected.tobytes()


def test_layers_fit_with_a_feathered_alpha():
    placement = Placement(0, 0, 400, 400)
    fitted = fit(artwork(2), placement, CompositionMode.LAYERS)
    assert fitted.mode == "RGBA" and fitted.size == (400, 400)
    # The mask lives only in the alpha: the colours are the artwork's, fitted as in collage.
    assert (fitted.convert("RGB").tobytes()
            == fit(artwork(2), placement, CompositionMode.COLLAGE).tobytes())
    alpha = np.asarray(fitted.getchannel("A"), dtype=int)
    assert (alpha[160:240, 160:240] == 255).all()  # an opaque centre
    for corner in (alpha[:40, :40], alpha[:40, -40:], alpha[-40:, :40], alpha[-40:, -40:]):
        assert (corner == 0).all()
    assert (alpha[0, :] == 0).all() and (alpha[:, -1] == 0).all()  # nothing reaches an edge
    for ray in (alpha[200, 200:], alpha[200, 200::-1], alpha[200:, 200], alpha[200::-1, 200]):
        steps = np.diff(ray)
        assert (steps <= 0).all()  # fading outwards, never back up
        assert -steps.min() <= 8  # a wide, smooth ramp, no hard rim
        assert len(np.unique(ray)) > 60


def test_fitting_is_idempotent_so_the_view_and_the_export_match():
    placement = Placement(0, 0, 120, 120)
    for mode in CompositionMode:
        fitted = fit(artwork(3), placement, mode)
        assert fit(fitted, placement, mode) is fitted
        for other in CompositionMode:
            assert (fit(fitted, placement, other).tobytes()
                    == fit(artwork(3), placement, other).tobytes())


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_render_is_reproducible_and_the_same_from_fitted_images(mode):
    placements = layout(mode, CANVAS, 8, INDICES)
    raw = [(placements[index], artwork(index)) for index in INDICES]
    first = render_canvas(CANVAS, mode, raw)
    assert first.mode == "RGB" and first.size == (CANVAS.width, CANVAS.height)
    assert render_canvas(CANVAS, mode, raw).tobytes() == first.tobytes()
    fitted = [(placement, fit(image, placement, mode)) for placement, image in raw]
    assert render_canvas(CANVAS, mode, fitted).tobytes() == first.tobytes()


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_render_paints_on_the_background_setting(mode):
    for background, rgb in (("#000000", (0, 0, 0)), ("#20a0c0", (32, 160, 192))):
        canvas = CanvasSpec(300, 400, background)
        empty = np.asarray(render_canvas(canvas, mode, [])).reshape(-1, 3)
        assert (empty == rgb).all()
        placement = layout(mode, canvas, 1, [1])[1]
        result = render_canvas(canvas, mode, [(placement, Image.new("RGB", (8, 8), "red"))])
        uncovered = (0, 0) if placement.x > 0 or placement.y > 0 else (299, 399)
        assert result.getpixel(uncovered) == rgb
        centre = (placement.x + placement.width // 2, placement.y + placement.height // 2)
        assert result.getpixel(centre) == (255, 0, 0)


def test_render_paints_the_newest_on_top():
    placement = Placement(10, 10, 64, 64)
    for mode in CompositionMode:
        result = render_canvas(CANVAS, mode, [(placement, Image.new("RGB", (8, 8), "red")),
                                              (placement, Image.new("RGB", (8, 8), "blue"))])
        assert result.getpixel((42, 42)) == (0, 0, 255)


def test_layers_blend_the_edges_into_what_lies_beneath():
    placement = Placement(0, 0, 200, 200)
    result = render_canvas(CanvasSpec(200, 200, "#ffffff"), CompositionMode.LAYERS,
                           [(placement, Image.new("RGB", (8, 8), "red")),
                            (placement, Image.new("RGB", (8, 8), "blue"))])
    red, green, blue = result.getpixel((100, 30))  # inside the ramp of both masks
    assert red > 20 and blue > 20 and green < red  # red shows through the blue's fade


def test_restore_after_a_crash_reproduces_the_canvas_pixel_for_pixel(tmp_path):
    session = Session.new(CANVAS)
    folder = SessionFolder.create(tmp_path, session.session_id)
    folder.save(session)
    images: dict[int, Image.Image] = {}

    def arrive(index: int, save_state: bool = True) -> None:
        png = folder.artwork_path(index, "joy")
        images[index] = artwork(index, size=64)
        save_artwork_files(png, images[index], metadata(index))
        session.add_artwork(index, metadata(index), folder.relative(png))
        if save_state:
            folder.save(session)

    for index in (1, 2, 3, 5, 6):
        arrive(index)
    session.set_mode(CompositionMode.LAYERS)
    session.remove_artwork(3)
    folder.save(session)
    arrive(7, save_state=False)  # the app dies after the artwork's files, before the state

    def canvas_of(s: Session, image_of) -> Image.Image:
        return render_canvas(s.canvas, s.composition,
                             [(record.placement, image_of(record)) for record in s.artworks])

    before = canvas_of(session, lambda record: images[record.index])
    restored = folder.load()
    assert restored.composition is CompositionMode.LAYERS
    assert [record.index for record in restored.artworks] == [1, 2, 5, 6, 7]
    assert restored.next_index == 8
    after = canvas_of(restored, folder.load_image)
    assert after.tobytes() == before.tobytes()


@pytest.mark.parametrize("mode", list(CompositionMode))
def test_the_canvas_without_its_hidden_artworks_is_the_same_canvas(mode):
    from animo_desktop.composition import visible_artworks
    indices = list(range(1, 121))
    placements = layout(mode, CANVAS, 11, indices)
    images = {index: artwork(index, 48) for index in indices}
    visible = visible_artworks(CANVAS, mode, list(placements.items()))
    everything = render_canvas(CANVAS, mode, [(placements[i], images[i]) for i in indices])
    shown = render_canvas(CANVAS, mode, [(placements[i], images[i]) for i in indices
                                         if i in visible])
    assert shown.tobytes() == everything.tobytes()
    assert indices[-1] in visible
    if mode is CompositionMode.COLLAGE:
        assert len(visible) < len(indices) / 2  # most early artworks lie under newer ones
    if mode is CompositionMode.MOSAIC:
        assert visible == set(indices)  # cells never overlap


def test_a_painting_grown_one_artwork_at_a_time_is_the_rendered_canvas():
    from animo_desktop.composition import Painting
    for mode in CompositionMode:
        placements = layout(mode, CANVAS, 3, INDICES)
        painting = Painting(CANVAS, mode)
        for index in INDICES:
            fitted = painting.add(placements[index], artwork(index))
            assert fitted.size == (placements[index].width, placements[index].height)
        expected = render_canvas(CANVAS, mode, [(placements[i], artwork(i)) for i in INDICES])
        assert painting.image().tobytes() == expected.tobytes()


def test_the_artwork_at_a_point_is_the_topmost_and_a_feathered_rim_lets_clicks_through():
    from animo_desktop.composition import artwork_at
    below, above = Placement(0, 0, 100, 100), Placement(50, 50, 100, 100)
    placed = [(1, below), (2, above)]
    assert artwork_at(placed, CompositionMode.COLLAGE, 75, 75) == 2
    assert artwork_at(placed, CompositionMode.COLLAGE, 25, 25) == 1
    assert artwork_at(placed, CompositionMode.COLLAGE, 175, 175) is None
    # In layers the corner of the upper piece is transparent: the one beneath shows there.
    assert artwork_at(placed, CompositionMode.LAYERS, 52, 52) == 1
    assert artwork_at(placed, CompositionMode.LAYERS, 100, 100) == 2


def test_a_huge_canvas_is_shown_at_a_bounded_size_and_a_usual_one_at_full_size():
    from animo_desktop.composition import DISPLAY_MAX_SIDE, display_scale
    assert display_scale(CANVAS) == 1.0
    huge = CanvasSpec(8192, 6000)
    assert max(huge.width, huge.height) * display_scale(huge) == DISPLAY_MAX_SIDE

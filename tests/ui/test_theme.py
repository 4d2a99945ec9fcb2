import re

import pytest

from animo_desktop.resources import RESOURCES_DIR
from animo_desktop.ui.theme import PALETTES, app_icon, style_sheet, themed_icon


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_each_palette_fills_every_colour_of_the_style_sheet(name):
    sheet = style_sheet(name)
    assert "$" not in sheet.replace("$-word", "")
    assert set(re.findall(r"#[0-9a-f]{6}", sheet)) >= set(PALETTES[name].values())


def test_the_arrows_the_style_sheet_draws_exist():
    from pathlib import Path
    images = re.findall(r'url\("([^"]+)"\)', style_sheet("dark"))
    assert len(images) >= 3
    assert all(Path(image).is_file() for image in images)


def test_palettes_define_the_same_colours():
    dark, light = PALETTES["dark"], PALETTES["light"]
    assert dark.keys() == light.keys()
    assert dark["window"] != light["window"] and dark["text"] != light["text"]


def test_the_app_icon_loads(qapp):
    icon = app_icon()
    assert not icon.isNull() and not icon.pixmap(64, 64).isNull()


def test_the_light_theme_is_chosen_in_the_view_menu_and_remembered(launch, qapp):
    window, controller = launch()
    window.light_theme_action.trigger()
    assert controller.settings.theme == "light"
    assert PALETTES["light"]["window"] in qapp.styleSheet()
    window.light_theme_action.trigger()
    assert controller.settings.theme == "dark"
    assert PALETTES["dark"]["window"] in qapp.styleSheet()


ICON_NAMES = sorted(path.stem for path in (RESOURCES_DIR / "icons").glob("*.svg")
                    if path.stem != "animo")


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_every_icon_is_drawn_in_the_themes_colours(qapp, theme):
    from PySide6.QtGui import QColor, QIcon
    assert len(ICON_NAMES) >= 15
    for name in ICON_NAMES:
        icon = themed_icon(name, theme)
        for mode, colour in ((QIcon.Mode.Normal, "text"), (QIcon.Mode.Disabled, "disabled")):
            image = icon.pixmap(48, 48, mode).toImage()
            assert image.width() == 48, name
            opaque = [image.pixelColor(x, y) for x in range(48) for y in range(48)
                      if image.pixelColor(x, y).alpha() == 255]
            assert opaque, f"{name} draws nothing"
            assert {c.name() for c in opaque} == {QColor(PALETTES[theme][colour]).name()}, name


def test_the_window_shows_icons_that_follow_the_theme(launch):
    window, controller = launch()
    buttons = (window.start_button, window.pause_button, window.end_button,
               window.export_button, window.emotion_panel.release_button,
               window.camera_panel.calibrate_button)
    assert all(not button.icon().isNull() for button in buttons)
    with_icons = [action for action in window.actions() if not action.icon().isNull()]
    assert len(with_icons) >= 10
    assert all(action.toolTip() for action in with_icons)
    dark = window.start_button.icon().pixmap(24, 24).toImage()
    window.light_theme_action.trigger()
    light = window.start_button.icon().pixmap(24, 24).toImage()
    assert dark != light
    assert window.start_button.toolTip()  # tooltips stay


def _luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_the_paper_canvas_stands_out_from_its_surround(theme):
    from animo_desktop.composition import DEFAULT_BACKGROUND
    surround = PALETTES[theme]["surround"]
    assert contrast_ratio(surround, DEFAULT_BACKGROUND) >= 1.3
    assert contrast_ratio(surround, PALETTES[theme]["window"]) >= 1.1
    # Darker than the paper, in the light theme too: the sheet lies on a table.
    assert _luminance(surround) < _luminance(DEFAULT_BACKGROUND)

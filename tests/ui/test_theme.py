import re

import pytest

from animo_desktop.ui.theme import PALETTES, app_icon, style_sheet


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_each_palette_fills_every_colour_of_the_style_sheet(name):
    sheet = style_sheet(name)
    assert "$" not in sheet.replace("$-word", "")
    assert set(re.findall(r"#[0-9a-f]{6}", sheet)) >= set(PALETTES[name].values())


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

from animo_desktop.ui.consent_dialog import consent_dialog


def test_the_notice_says_the_artworks_are_made_on_the_clinics_server(qtbot):
    box = consent_dialog(None, "gpu.clinic.example")
    qtbot.addWidget(box)
    assert "clinic's server (gpu.clinic.example)" in box.text()
    assert "never an image of the face" in box.text()


def test_without_a_server_the_notice_names_none(qtbot):
    box = consent_dialog(None)
    qtbot.addWidget(box)
    assert "server" not in box.text() and "this computer only" in box.text()

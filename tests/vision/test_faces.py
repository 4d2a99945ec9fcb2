"""Choosing and following the client's face among several."""

import numpy as np

from animo_desktop.vision.faces import FaceFollower, most_prominent, prominence
from animo_desktop.vision.landmarks import Box, DetectedFace

WIDTH, HEIGHT = 640, 480


def face_at(left, top, size):
    return DetectedFace(np.zeros((478, 2), np.float32), np.zeros(52, np.float32),
                        Box(left, top, left + size, top + size), np.zeros((5, 2), np.float32))


def test_the_larger_face_wins_at_equal_distance_from_the_centre():
    small, large = face_at(100, 190, 80), face_at(400, 160, 150)
    assert most_prominent([small, large], WIDTH, HEIGHT) is large


def test_the_central_face_wins_at_equal_size():
    corner, central = face_at(0, 0, 120), face_at(260, 180, 120)
    assert most_prominent([corner, central], WIDTH, HEIGHT) is central


def test_size_matters_more_than_position():
    corner, centred = Box(0, 0, 100, 100), Box(270, 190, 370, 290)
    assert prominence(centred, WIDTH, HEIGHT) > prominence(corner, WIDTH, HEIGHT) >= \
        0.75 * prominence(centred, WIDTH, HEIGHT)
    larger_at_the_side = face_at(440, 160, 130)
    assert most_prominent([face_at(270, 190, 110), larger_at_the_side], WIDTH, HEIGHT) is \
        larger_at_the_side


def test_no_face_gives_none():
    assert most_prominent([], WIDTH, HEIGHT) is None
    assert FaceFollower().follow([], WIDTH, HEIGHT) is None


def test_the_followed_person_stays_followed_when_a_larger_face_appears():
    follower = FaceFollower()
    client = face_at(250, 180, 100)
    assert follower.follow([client], WIDTH, HEIGHT) is client
    client_moved, visitor = face_at(258, 184, 100), face_at(300, 100, 220)
    assert follower.follow([visitor, client_moved], WIDTH, HEIGHT) is client_moved


def test_when_the_followed_face_is_gone_the_most_prominent_is_followed():
    follower = FaceFollower()
    follower.follow([face_at(250, 180, 100)], WIDTH, HEIGHT)
    other_small, other_large = face_at(0, 0, 60), face_at(380, 200, 160)
    assert follower.follow([other_small, other_large], WIDTH, HEIGHT) is other_large
    follower.reset()
    assert follower.follow([other_small, face_at(250, 180, 100)], WIDTH, HEIGHT).box == \
        Box(250, 180, 350, 280)


def test_box_overlap():
    assert Box(0, 0, 10, 10).iou(Box(0, 0, 10, 10)) == 1.0
    assert Box(0, 0, 10, 10).iou(Box(5, 0, 15, 10)) == 50 / 150
    assert Box(0, 0, 10, 10).iou(Box(20, 20, 30, 30)) == 0.0

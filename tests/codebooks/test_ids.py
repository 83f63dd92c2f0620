from pipeline.codebooks.ids import MAX_ID_LENGTH, IdAllocator, is_code_id, slugify


def test_slugs_drop_apostrophes_and_accents_and_join_words():
    assert slugify("don't_know") == "dont_know"
    assert slugify("Don’t know") == "dont_know"
    assert slugify("Café culture") == "cafe_culture"
    assert slugify("Employment & training") == "employment_training"
    assert slugify("Lived experience (peer) workers") == "lived_experience_peer_workers"


def test_slugs_always_match_the_id_pattern():
    for name in ("2nd wave themes", "???", "", "  Ünïcode  ", "a->b", "Ω"):
        slug = slugify(name)
        assert is_code_id(slug), (name, slug)
    assert slugify("2nd wave themes") == "code_2nd_wave_themes"
    assert slugify("???") == "code"


def test_long_names_are_cut_at_a_word_boundary():
    slug = slugify("Being kept informed, clarity and consistency of information given "
                   "by every member of staff")
    assert len(slug) <= MAX_ID_LENGTH
    assert slug.startswith("being_kept_informed_clarity") and not slug.endswith("_")
    assert "being_kept_informed_clarity_and_consistency_of_information_given".startswith(slug)


def test_clashes_take_the_parent_then_a_number():
    ids = IdAllocator()
    assert ids.allocate("Positive", "housing") == "positive"
    assert ids.allocate("Positive", "employment") == "employment_positive"
    assert ids.allocate("Positive", "employment") == "employment_positive_2"
    assert ids.allocate("positive!") == "positive_2"


def test_reserved_ids_are_never_handed_out():
    ids = IdAllocator(reserved={"housing"})
    assert ids.allocate("Housing") == "housing_2"

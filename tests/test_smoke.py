from fake_arxiv import FakeArxiv


def test_add_then_list(cli, arxiv: FakeArxiv, notes_dir) -> None:
    result = cli("add", "1706.03762", "--tag", "attention")
    assert "Attention Is All You Need" in result.stdout
    assert (notes_dir / "1706.03762.yaml").is_file()
    listed = cli("list", "--tag", "attention")
    assert listed.stdout.startswith("1706.03762\t2017\tAttention Is All You Need")

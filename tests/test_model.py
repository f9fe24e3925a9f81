from scanner.model import Category, Identity


def test_identity_id_is_path_and_pointer_not_line() -> None:
    def at(line: int) -> Identity:
        return Identity(
            scanner="terraform",
            kind="aws_iam_user",
            category=Category.IDENTITY,
            name="ci",
            path="infra/iam.tf",
            line=line,
            end_line=line + 2,
            pointer="aws_iam_user.ci",
            anchor_line=line,
        )

    assert at(3).id == at(30).id == "infra/iam.tf#aws_iam_user.ci"

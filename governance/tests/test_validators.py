import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.validators import validate_finess, validate_pdf, validate_rpps, validate_siret


def minimal_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("number", ["10000001346", "10000000058", "1000 000 1346", "100-000-013-46"])
def test_valid_rpps_numbers_are_accepted_and_compacted(number):
    assert validate_rpps(number) == number.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("10000001347", "clé de contrôle"),  # last digit changed
        ("10000001364", "clé de contrôle"),  # two digits swapped
        ("1000000134", "11 chiffres"),
        ("100000013466", "11 chiffres"),
        ("1000000134A", "11 chiffres"),
        ("", "11 chiffres"),
    ],
)
def test_invalid_rpps_numbers_are_refused_with_a_french_reason(number, message):
    with pytest.raises(ValidationError) as exc:
        validate_rpps(number)
    assert message in exc.value.messages[0]


@pytest.mark.parametrize("number", ["73282932000074", "732 829 320 00074", "35600000000048"])  # La Poste's exception
def test_valid_siret_numbers_are_accepted(number):
    assert validate_siret(number) == number.replace(" ", "")


@pytest.mark.parametrize(
    ("number", "message"),
    [("73282932000075", "clé de contrôle"), ("7328293200007", "14 chiffres"), ("7328293200007X", "14 chiffres")],
)
def test_invalid_siret_numbers_are_refused(number, message):
    with pytest.raises(ValidationError) as exc:
        validate_siret(number)
    assert message in exc.value.messages[0]


# Public FINESS numbers of CHU de Toulouse, AP-HP, AP-HM, Hospices civils de Lyon, CHU de Bordeaux.
@pytest.mark.parametrize("number", ["310781406", "750712184", "130786049", "690781810", "330781196", "2A0000014"])
def test_valid_finess_numbers_are_accepted(number):
    assert validate_finess(number) == number


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("310781407", "clé de contrôle"),
        ("2A0000015", "clé de contrôle"),
        ("31078140", "9 caractères"),
        ("3107814066", "9 caractères"),
        ("960000000", "code de département"),
        ("00A000000", "code de département"),
    ],
)
def test_invalid_finess_numbers_are_refused(number, message):
    with pytest.raises(ValidationError) as exc:
        validate_finess(number)
    assert message in exc.value.messages[0]


def test_a_real_pdf_is_accepted():
    validate_pdf(SimpleUploadedFile("statuts.pdf", minimal_pdf(), content_type="application/pdf"))


def test_a_file_renamed_pdf_is_refused_by_its_content():
    fake = SimpleUploadedFile("statuts.pdf", b"PK\x03\x04 not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        validate_pdf(fake)
    assert "n'est pas un PDF" in exc.value.messages[0]


def test_a_file_with_the_pdf_signature_but_broken_content_is_refused():
    broken = SimpleUploadedFile("statuts.pdf", b"%PDF-1.7\n garbage without any object", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        validate_pdf(broken)
    assert "illisible" in exc.value.messages[0]


def test_an_oversized_pdf_is_refused(settings):
    settings.GOVERNANCE_PDF_MAX_BYTES = 1024
    big = minimal_pdf() + b"%" + b"x" * 2048
    with pytest.raises(ValidationError) as exc:
        validate_pdf(SimpleUploadedFile("statuts.pdf", big, content_type="application/pdf"))
    assert "taille maximale" in exc.value.messages[0]

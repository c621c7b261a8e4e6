"""accounts: home, organisations, authentication pages."""

from .matrix import Rule, everyone, only, signed_in

ORGANISATION_READERS = ("coordinator", "member", "admin")

RULES = {
    "accounts:home": Rule(GET=signed_in("200"), POST=signed_in("405")),
    "accounts:health": Rule(GET=everyone("200"), POST=everyone("405"), note="sonde publique, ne lit aucune donnée"),
    "accounts:accessibility": Rule(GET=everyone("200"), POST=everyone("405")),
    "accounts:organisation_list": Rule(
        GET=signed_in("200"), POST=signed_in("405"), note="chacun ne voit que ses organisations"
    ),
    "accounts:organisation_detail": Rule(
        kwargs=lambda w: {"pk": w.cpts.pk},
        GET=only(*ORGANISATION_READERS),
        POST=signed_in("405"),
    ),
    "accounts:login": Rule(
        GET=everyone("302", anonymous="200"),
        POST=everyone("302", anonymous="200"),
        note="une personne connectée est renvoyée vers l'accueil ; un formulaire vide est réaffiché",
    ),
    "accounts:otp_setup": Rule(GET=signed_in("200"), POST=signed_in("200")),
    "accounts:otp_verify": Rule(
        GET=signed_in("302"), POST=signed_in("302"), note="sans appareil enregistré : vers l'activation"
    ),
    "accounts:logout": Rule(GET=everyone("405"), POST=everyone("login")),
    "accounts:password_change": Rule(GET=signed_in("200"), POST=signed_in("200")),
    "accounts:password_change_done": Rule(GET=signed_in("200"), POST=signed_in("405")),
    "accounts:password_reset": Rule(GET=everyone("200"), POST=everyone("200")),
    "accounts:password_reset_done": Rule(GET=everyone("200"), POST=everyone("405")),
    "accounts:password_reset_confirm": Rule(
        kwargs=lambda w: {"uidb64": "MQ", "token": "jeton-invalide"},
        GET=everyone("200"),
        POST=everyone("200"),
        note="un lien invalide affiche « lien invalide » sans rien révéler",
    ),
    "accounts:password_reset_complete": Rule(GET=everyone("200"), POST=everyone("405")),
}

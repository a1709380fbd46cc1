"""The Resources API (star images and words, locales, countries), a business unit's images,
and the image files themselves, drawn by the sandbox (state/images.py).

Shapes follow developers.trustpilot.com/resources-api. Emulator decisions: the resources
answer without credentials (Trustpilot's own Bruno collection sends none; the docs say "API
Key"); image sizes are integers (the docs' placeholders are strings); every image url is the
sandbox's own ``/_images/...``; names are English (``translatedName`` too: no translations);
``countryId`` numbers are the sandbox's own (Denmark 1, as in the docs' example). A unit's
images (``/images``, ``/images/logo``) take an API key like every business-unit route; their
shapes are undocumented: ``{"image<W>x<H>": {url, width, height}}`` as the resources use.
"""

from . import errors, images

# Star words on Trustpilot's scale (1 Bad ... 5 Excellent); half stars take the word of the
# TrustScore band they stand for (4.5 is 4.3-4.7: Excellent).
STAR_WORDS = {"0": "Not rated", "1": "Bad", "1.5": "Bad", "2": "Poor", "2.5": "Poor", "3": "Average",
              "3.5": "Average", "4": "Great", "4.5": "Excellent", "5": "Excellent"}
# (locale, native name, English name, site host): the consumer sites the sandbox knows.
LOCALES = (("da-DK", "Dansk", "Danish", "dk"), ("de-AT", "Deutsch (Österreich)", "German (Austria)", "at"),
           ("de-CH", "Deutsch (Schweiz)", "German (Switzerland)", "ch"), ("de-DE", "Deutsch", "German", "de"),
           ("en-AU", "English (Australia)", "English (Australia)", "au"),
           ("en-CA", "English (Canada)", "English (Canada)", "ca"), ("en-GB", "English (UK)", "English (UK)", "uk"),
           ("en-IE", "English (Ireland)", "English (Ireland)", "ie"),
           ("en-NZ", "English (New Zealand)", "English (New Zealand)", "nz"),
           ("en-US", "English (US)", "English (US)", "www"), ("es-ES", "Español", "Spanish", "es"),
           ("fi-FI", "Suomi", "Finnish", "fi"), ("fr-BE", "Français (Belgique)", "French (Belgium)", "fr-be"),
           ("fr-FR", "Français", "French", "fr"), ("it-IT", "Italiano", "Italian", "it"),
           ("ja-JP", "日本語", "Japanese", "jp"), ("nb-NO", "Norsk", "Norwegian", "no"),
           ("nl-BE", "Nederlands (België)", "Dutch (Belgium)", "nl-be"), ("nl-NL", "Nederlands", "Dutch", "nl"),
           ("pl-PL", "Polski", "Polish", "pl"), ("pt-BR", "Português (Brasil)", "Portuguese (Brazil)", "br"),
           ("pt-PT", "Português", "Portuguese", "pt"), ("sv-SE", "Svenska", "Swedish", "se"))
DEFAULT_LOCALE = "en-US"
DEFAULT_FOR_LANGUAGE = {"da-DK", "de-DE", "en-US", "es-ES", "fi-FI", "fr-FR", "it-IT", "ja-JP", "nb-NO", "nl-NL",
                        "pl-PL", "pt-PT", "sv-SE"}
# (country, English name, its usual locale), in countryId order from 1.
COUNTRIES = (("DK", "Denmark", "da-DK"), ("GB", "United Kingdom", "en-GB"), ("US", "United States", "en-US"),
             ("DE", "Germany", "de-DE"), ("SE", "Sweden", "sv-SE"), ("NO", "Norway", "nb-NO"),
             ("FI", "Finland", "fi-FI"), ("NL", "Netherlands", "nl-NL"), ("BE", "Belgium", "nl-BE"),
             ("FR", "France", "fr-FR"), ("ES", "Spain", "es-ES"), ("IT", "Italy", "it-IT"),
             ("PT", "Portugal", "pt-PT"), ("PL", "Poland", "pl-PL"), ("AT", "Austria", "de-AT"),
             ("CH", "Switzerland", "de-CH"), ("IE", "Ireland", "en-IE"), ("AU", "Australia", "en-AU"),
             ("NZ", "New Zealand", "en-NZ"), ("CA", "Canada", "en-CA"), ("BR", "Brazil", "pt-BR"),
             ("JP", "Japan", "ja-JP"))
TLDS = {"US": "com", "GB": "co.uk", "AU": "com.au", "NZ": "co.nz", "BR": "com.br", "JP": "co.jp"}
COUNTRY_IDS = {code: n for n, (code, _, _) in enumerate(COUNTRIES, start=1)}


class Resources:
    """Star images and words, locales, countries, business-unit images, and the image files."""

    def __init__(self, store, access, business_units):
        """``access`` and ``business_units``: the sandbox's areas."""
        self.store = store
        self.access = access
        self.business_units = business_units

    # -- the Resources API (no credentials) ------------------------------------------------
    @staticmethod
    def get_star_images(stars, base):
        image_set = {f"star{w}x{h}": _image(base, images.star_file(stars, (w, h)), w, h) for w, h in images.STAR_SIZES}
        return {**image_set, "starSvg": _image(base, images.star_file(stars), 120, 24), "stars": _number(stars)}

    @staticmethod
    def get_star_string(stars, locale):
        return {"locale": locale or DEFAULT_LOCALE, "stars": _number(stars), "string": STAR_WORDS[stars]}

    @staticmethod
    def list_locales(translation_locale):
        """Every locale; ``translation_locale`` is checked by the view, names stay English."""
        locales = [_locale(*entry) for entry in LOCALES]
        return {"locales": locales, "defaultLocale": next(each for each in locales if each["locale"] == DEFAULT_LOCALE)}

    @staticmethod
    def list_countries(locale):
        return {"countries": [{"countryId": str(COUNTRY_IDS[code]), "country": code, "englishName": name,
                               "locale": usual, "translatedName": name} for code, name, usual in COUNTRIES]}

    # -- a business unit's images (API key) --------------------------------------------------
    def get_business_unit_images(self, creds, business_unit_id, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
        return {"links": [{"href": f"{base}/v1/business-units/{unit_id}/images/logo", "method": "GET",
                           "rel": "business-units-images-logo"}],
                "logo": _logo(unit_id, base)}

    def get_business_unit_logo(self, creds, business_unit_id, location_id, base):
        with self.store.read() as db:
            self.access.public_caller(db, creds)
            unit_id = self.business_units.existing_id(db, business_unit_id)
            if location_id is not None and db.execute(
                    "SELECT 1 FROM locations WHERE business_unit_id = ? AND id = ?", (unit_id, location_id)
            ).fetchone() is None:
                raise errors.NotFound(f"business unit {unit_id} has no location with the id {location_id!r}")
        return _logo(unit_id, base)  # a location shows its unit's logo

    # -- the files ---------------------------------------------------------------------------
    def get_image(self, name):
        """An ImageFile for a name the sandbox handed out; NotFound for any other."""
        parsed = images.parse(name)
        if parsed is None:
            raise errors.NotFound(f"no image {name!r} in this sandbox (image links come from the API's answers)")
        kind, subject, size = parsed
        if kind == "stars":
            return images.star_png(subject, size) if size else images.star_svg(subject)
        with self.store.read() as db:
            self.business_units.existing_id(db, subject)
        return images.logo_png(subject, size)


def _image(base, name, width, height):
    return {"url": f"{base}/_images/{name}", "width": width, "height": height}


def _logo(unit_id, base):
    return {f"image{w}x{h}": _image(base, images.logo_file(unit_id, (w, h)), w, h) for w, h in images.LOGO_SIZES}


def _number(stars):
    value = float(stars)
    return int(value) if value.is_integer() else value


def _locale(code, native, english, site):
    language, region = code.split("-")
    host = "www.trustpilot.com" if site == "www" else f"{site}.trustpilot.com"
    return {"locale": code, "language": language, "region": region, "countryId": COUNTRY_IDS[region],
            "nativeName": native, "translatedName": english, "tld": TLDS.get(region, region.lower()),
            "consumerWebApp": f"https://{host}/", "businessWebApp": f"https://{code.lower()}.b2b.trustpilot.com/",
            "legalUrl": "https://legal.trustpilot.com", "commercialUrl": "https://business.trustpilot.com",
            "aboutTrustpilotUrl": "https://corporate.trustpilot.com", "supportUrl": "https://support.trustpilot.com",
            "helpCenterUrl": "https://help.trustpilot.com", "blog": "https://blog.trustpilot.com",
            "businessSignupUrl": f"https://signup.business.trustpilot.com/#/signup?locale={code}",
            "pressUrl": "https://press.trustpilot.com", "investorsUrl": "https://investors.trustpilot.com",
            "jobsUrl": "https://jobs.trustpilot.com", "statusPageUrl": "https://status.trustpilot.com",
            "isDefaultForLanguage": code in DEFAULT_FOR_LANGUAGE,
            "isSupportedInBusinessWebApp": language in ("da", "de", "en", "es", "fr", "it", "nl", "sv")}

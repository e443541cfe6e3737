"""The small word lists the annotators lean on: a gazetteer of places, titles, and the words that
say what kind of thing a name is. General lists, not tuned to any one digest (config.yaml adds more)."""

from __future__ import annotations

_PLACES = """
Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain Bangladesh Belarus
Belgium Bhutan Bolivia Bosnia Botswana Brazil Bulgaria Cambodia Cameroon Canada Chad Chile China Colombia Congo
Croatia Cuba Cyprus Czechia Denmark Djibouti Ecuador Egypt Eritrea Estonia Ethiopia Fiji Finland France Gabon
Gambia Georgia Germany Ghana Greece Guatemala Guinea Haiti Honduras Hungary Iceland India Indonesia Iran Iraq
Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Libya
Lithuania Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Mauritius Mexico Moldova Mongolia Montenegro
Morocco Mozambique Myanmar Namibia Nepal Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palestine
Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Senegal Serbia Singapore Slovakia
Slovenia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Tunisia Turkey
Turkmenistan Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Crimea Kashmir Tibet
Africa Asia Europe America Antarctica Arctic Eurasia Balkans Caucasus Gaza Donbas
Delhi Mumbai Kolkata Chennai Bengaluru Hyderabad Moscow Beijing Shanghai Tokyo Seoul Islamabad Karachi Lahore
Kabul Tehran Baghdad Ankara Istanbul Riyadh Dubai Doha Cairo Nairobi Lagos Johannesburg Paris London Berlin Rome
Madrid Lisbon Brussels Vienna Warsaw Prague Budapest Kyiv Kiev Minsk Sochi Stockholm Oslo Helsinki Copenhagen
Amsterdam Geneva Zurich Athens Washington Chicago Boston Seattle Toronto Ottawa Montreal Sydney Melbourne Canberra
Singapore Jakarta Manila Bangkok Hanoi Dhaka Colombo Kathmandu Muscat Almaty Tashkent Baku Tbilisi Yerevan
Bordeaux Lyon Marseille Munich Hamburg Milan Naples Barcelona Valencia Porto Dublin Edinburgh Glasgow Manchester
"""
_MULTIWORD_PLACES = [
    "New Delhi", "United States", "United States of America", "United Kingdom", "United Arab Emirates", "Saudi Arabia",
    "South Africa", "South Korea", "North Korea", "New Zealand", "Sri Lanka", "Hong Kong", "Middle East",
    "South Asia", "East Asia", "Southeast Asia", "Central Asia", "Latin America", "North America", "South America",
    "Indo-Pacific", "Indo Pacific", "European Union", "Los Angeles", "New York", "San Francisco", "Abu Dhabi",
    "Tel Aviv", "Kuala Lumpur", "Buenos Aires", "Rio de Janeiro", "Cape Town", "Persian Gulf", "South China Sea",
    "Black Sea", "Indian Ocean", "Pacific Ocean", "Atlantic Ocean", "Red Sea", "Ivory Coast", "Czech Republic",
]
PLACES = frozenset(w.lower() for w in _PLACES.split()) | frozenset(p.lower() for p in _MULTIWORD_PLACES)

# Spellings merged with a place of the gazetteer out of the box.
PLACE_ALIASES = {"us": "United States", "u.s.": "United States", "usa": "United States", "u.s.a.": "United States",
                 "uk": "United Kingdom", "u.k.": "United Kingdom", "uae": "United Arab Emirates",
                 "eu": "European Union", "delhi": "New Delhi"}

# Adjectives of place: "Russian President Vladimir Putin" is about Vladimir Putin.
DEMONYMS = frozenset("""
american british chinese russian indian pakistani turkish french german italian spanish japanese korean iranian
iraqi israeli palestinian ukrainian european african asian afghan saudi emirati egyptian syrian canadian
australian brazilian mexican polish swedish norwegian danish finnish dutch belgian swiss austrian greek
portuguese irish scottish welsh bangladeshi nepalese lankan sri vietnamese thai indonesian malaysian filipino
nigerian kenyan ethiopian western eastern northern southern soviet
""".split())

# Offices: a run of capitalised words up to one of these ("New Jersey Governor", "Transport Minister")
# says who the person after it is, and is not part of the name.
OFFICES = frozenset("""
president minister secretary governor ambassador chairman chairwoman chair director chief ceo spokesperson
spokesman spokeswoman envoy mayor chancellor commissioner senator king queen prince princess general admiral
colonel captain leader speaker adviser advisor mp pm judge justice premier counterpart secretary-general
director-general sheikh pope
""".split())

# Words of a title or office: they introduce a person and are not part of the name.
TITLES = frozenset("""
president prime minister ministers foreign secretary external affairs defence defense ambassador director
chief deputy senator governor king queen prince princess mr mrs ms dr prof professor sir lord lady judge justice
mayor chancellor commissioner admiral general colonel captain lieutenant sheikh pope envoy spokesperson spokesman
spokeswoman chairman chairwoman chair speaker vice executive ceo cfo coo officer home finance interior adviser
advisor representative congressman congresswoman mp leader opposition gen col lt sgt capt rep sen gov
secretary-general director-general pm former acting senior special top head national security state counterpart
""".split())

# A last (or first) word that makes a name an organisation.
ORGANISATION_WORDS = frozenset("""
agency ministry bank service office council committee forum network board company corporation corp inc ltd
group party army navy force forces university institute college school news times post herald tribune
concern association union organisation organization commission department government administration
parliament court fund federation foundation bureau authority alliance coalition league club industries
motors airlines airways media press television tv radio channel agencies exporter exchange police guard
assembly senate congress cabinet secretariat directorate command
""".split())

# Words before or after a name that say it is an organisation ("the Interfax news agency").
ORGANISATION_NOUNS = frozenset("""
agency company concern group ministry newspaper channel firm bank exporter manufacturer maker broadcaster
startup corporation conglomerate outlet union club airline carrier insurer lender regulator watchdog
""".split())

# Words after a name that say it is a weapon, vehicle or other system or product.
SYSTEM_NOUNS = frozenset("""
missile missiles system systems jet jets fighter fighters rifle rifles tank tanks helicopter helicopters aircraft
drone drones submarine submarines vaccine vaccines carrier frigate frigates destroyer destroyers launcher
launchers radar radars satellite satellites rocket rockets warship warships gun guns howitzer howitzers
""".split())

# A last word that makes a name a law, treaty, event or other thing.
OTHER_WORDS = frozenset("""
act treaty pact deal summit agreement accord convention dialogue initiative programme program plan bill law
conference war election elections pandemic protocol doctrine strategy games cup award prize declaration
""".split())

SHIP_PREFIXES = frozenset({"ins", "uss", "hms", "hmas", "ns"})

MONTHS = ("january february march april may june july august september october november december")
MONTH_NUMBER = {name: i + 1 for i, name in enumerate(MONTHS.split())}
MONTH_NUMBER.update({name[:3]: i + 1 for i, name in enumerate(MONTHS.split())})
MONTH_NUMBER["sept"] = 9
CALENDAR = frozenset(MONTHS.split()) | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow".split())

# Capitalised only because they start a sentence or a heading: never a name on their own.
COMMON = frozenset("""
the a an this that these those it its he she they we i you his her their our my your there here but and or so
yet for nor if when while whereas after before since as at in on by from to with without under over about
against among between through during despite although though however meanwhile moreover furthermore also still
even only just now then thus hence therefore indeed instead rather perhaps recently earlier later last next
first second third both each every some many most several few all any no not none other another such what
which who whom whose why how where asked given according following until unlike like once yes officials
analysts critics supporters residents sources experts economists negotiators campaigners lawyers unions
documents figures data shares people local similar background reaction update updated photo video watch
breaking exclusive opinion analysis editorial comment comments read more share email print reply advertisement
subscribe newsletter click login sign related top latest home news section category tags tag menu search
one two three four five six seven eight nine ten hundreds thousands millions dozens mr mrs ms dr police
prosecutors investigators authorities voters farmers workers doctors scientists researchers protesters
""".split())

# Web furniture that is never a named thing, whatever the strip stage let through.
NOISE = frozenset("""
read more|read also|also read|leave a comment|post a comment|leave a reply|print friendly|comment box|pdf|email
|facebook|twitter|whatsapp|linkedin|telegram|instagram|youtube|reddit|pinterest|rss|click here|sign up|log in
|usd|eur|gbp|inr|rs|jpy|cny|rub|chf|cad|aud|nzd|sek|nok|dkk|pln|czk|huf|try|brl|mxn|ars|zar|ngn|kes|egp|pkr
|bdt|lkr|krw|sgd|hkd|twd|thb|idr|myr|php|vnd|aed|sar|qar|ils|uah|privacy policy|terms of use|cookie policy|all rights reserved|copyright|newsletter|advertisement|sponsored
""".replace("\n", "").split("|"))

# The verbs that introduce reported speech.
SPEECH_VERBS = ("said|says|told|added|stated|noted|warned|explained|asked|replied|insisted|argued|declared|"
                "announced|remarked|wrote|tweeted|shared|claimed|confirmed|emphasised|emphasized|stressed|"
                "recalled|observed|continued|concluded|admitted|acknowledged|suggested")

using System.Globalization;
using System.Text;

namespace ContextPress.Benchmarks.History;

/// <summary>
/// Seeded source of the values of the simulated AppWorld-style world: names, e-mails, ids, amounts, dates and prose.
/// Everything comes from one <see cref="Random"/>, formats with the invariant culture and dates from a fixed epoch,
/// so a seed always gives the same world. Values that a later call may need verbatim use only characters that no JSON
/// writer escapes (letters, digits, <c>.-_@:!$%*</c> and spaces).
/// </summary>
internal sealed class WorldData
{
    public static readonly DateTime Epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] FirstNames =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
        "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher", "Lisa",
        "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven",
        "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda",
        "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Sharon",
        "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Kathleen", "Jacob", "Amy", "Gary", "Angela", "Nicholas",
        "Shirley", "Eric", "Anna", "Jonathan", "Brenda", "Stephen", "Pamela", "Larry", "Emma", "Justin", "Nicole",
    ];

    private static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
        "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
        "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
        "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
    ];

    private static readonly string[] EmailDomains = ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "fastmail.com"];

    private static readonly string[] Streets =
    [
        "Maple Avenue", "Oak Street", "Cedar Lane", "Pine Road", "Elm Drive", "Lakeview Terrace", "Sunset Boulevard",
        "Hillcrest Way", "Riverside Drive", "Willow Court", "Park Place", "Highland Avenue", "Chestnut Street",
    ];

    private static readonly (string City, string State, string Zip)[] Cities =
    [
        ("Seattle", "WA", "98101"), ("Portland", "OR", "97205"), ("Austin", "TX", "73301"), ("Denver", "CO", "80202"),
        ("Boston", "MA", "02108"), ("Chicago", "IL", "60601"), ("Atlanta", "GA", "30303"), ("Phoenix", "AZ", "85004"),
        ("San Diego", "CA", "92101"), ("Madison", "WI", "53703"), ("Raleigh", "NC", "27601"), ("Tampa", "FL", "33602"),
    ];

    private static readonly string[] ProductAdjectives =
    [
        "Merino", "Classic", "Vintage", "Ultralight", "Ergonomic", "Waterproof", "Organic", "Premium", "Compact",
        "Stainless", "Bamboo", "Wireless", "Insulated", "Handwoven", "Foldable", "Rechargeable", "Ceramic", "Canvas",
    ];

    private static readonly (string Noun, string Code)[] ProductNouns =
    [
        ("Wool Fedora Hat", "HAT"), ("Trail Running Shoes", "SHO"), ("Coffee Grinder", "GRN"), ("Desk Lamp", "LMP"),
        ("Backpack", "BAG"), ("Yoga Mat", "MAT"), ("Water Bottle", "BTL"), ("Bluetooth Speaker", "SPK"),
        ("Chef Knife", "KNF"), ("Rain Jacket", "JKT"), ("Throw Blanket", "BLK"), ("Camping Stove", "STV"),
        ("Noise Cancelling Headphones", "HPH"), ("Cast Iron Skillet", "SKL"), ("Standing Desk Mat", "DSK"),
        ("Travel Pillow", "PLW"), ("Fitness Tracker", "FIT"), ("French Press", "FRP"), ("Electric Kettle", "KTL"),
    ];

    private static readonly string[] Colors = ["Charcoal", "Navy", "Olive", "Sand", "Burgundy", "Slate", "Ivory", "Forest Green"];

    private static readonly string[] SongWords =
    [
        "Midnight", "Echoes", "Golden", "River", "Neon", "Paper", "Hearts", "Summer", "Ghost", "Velvet", "Highway",
        "Silver", "Lights", "Ocean", "Fire", "Dreams", "Shadow", "Wild", "Electric", "Morning", "Stars", "Gravity",
    ];

    private static readonly string[] Artists =
    [
        "The Lumineers", "Phoebe Hart", "Northern Static", "Ivy Calloway", "Glass Harbor", "Marcus Vale", "Paper Kites",
        "Luna Park", "The Wandering Few", "Elena Morrow", "Copper Sky", "Jonah Reyes", "Velvet Arcade", "Sol Adeyemi",
    ];

    private static readonly string[] Genres = ["indie", "pop", "rock", "jazz", "electronic", "folk", "hip-hop", "classical", "r&b"];

    private static readonly string[] Openers =
    [
        "This item", "Our team", "The package", "Customers", "The manufacturer", "The listing", "This order",
        "The support agent", "The account", "Each shipment", "The update", "The record", "The sender",
    ];

    private static readonly string[] Verbs =
    [
        "includes", "provides", "was reviewed against", "describes", "requires", "was prepared with", "combines",
        "is covered by", "arrived with", "mentions", "tracks", "was updated to reflect", "follows", "supports",
    ];

    private static readonly string[] Objects =
    [
        "the standard warranty terms", "a detailed care guide", "the recommended maintenance schedule",
        "the latest firmware notes", "the seasonal pricing policy", "a reinforced outer layer", "recycled packaging",
        "the regional shipping guidelines", "an extended support window", "the original purchase conditions",
        "a two-step verification requirement", "the quality assurance checklist", "a complimentary accessory kit",
        "the monthly account summary", "several customer suggestions", "the updated return window",
        "an optional protection plan", "a tracking reference for the carrier", "the previous billing cycle",
    ];

    private static readonly string[] Tails =
    [
        "for everyday use", "without additional charges", "as described in the help center", "during the holiday season",
        "according to the latest policy", "when the request is approved", "in most regions", "for the next few weeks",
        "unless the customer opts out", "after the final inspection", "with minor cosmetic differences",
        "as noted by the previous owner", "before the scheduled delivery", "once the payment clears",
    ];

    private static readonly string[] Fillers =
    [
        "In addition,", "However,", "As a result,", "For reference,", "Please note that", "In most cases,",
        "According to the notes,", "Meanwhile,", "Overall,", "Specifically,",
    ];

    private readonly Random _random;

    public WorldData(int seed) => _random = new Random(seed);

    public Random Random => _random;

    public int Int(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    /// <summary>The size of a listing: 20 to 60 records, smaller sizes more likely (mean about 36).</summary>
    public int ListSize() => 20 + (int)(41 * Math.Pow(_random.NextDouble(), 1.5));

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> values) => values[_random.Next(values.Count)];

    public string FirstName() => Pick(FirstNames);

    public string LastName() => Pick(LastNames);

    public string Email(string first, string last) =>
        string.Create(CultureInfo.InvariantCulture, $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{_random.Next(10, 99)}@{Pick(EmailDomains)}");

    /// <summary>A near-identical e-mail: one letter dropped, doubled or the number changed.</summary>
    public string LookAlikeEmail(string email)
    {
        int at = email.IndexOf('@', StringComparison.Ordinal);
        string local = email[..at];
        string domain = email[at..];
        return _random.Next(3) switch
        {
            0 => local[..2] + local[3..] + domain,
            1 => local[..3] + local[2] + local[3..] + domain,
            _ => string.Create(CultureInfo.InvariantCulture, $"{local.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')}{_random.Next(10, 99)}{domain}"),
        };
    }

    public string Phone() => string.Create(CultureInfo.InvariantCulture, $"{_random.Next(201, 989)}-555-{_random.Next(1000, 9999)}");

    /// <summary>An amount such as 1234.56; the last digit is never 0, so the number prints the same everywhere.</summary>
    public decimal Amount(int minDollars, int maxDollars) =>
        _random.Next(minDollars, maxDollars) + (((_random.Next(1, 10) * 10) + _random.Next(1, 10)) / 100m);

    /// <summary>A near-identical amount: two digits swapped or one cent off.</summary>
    public decimal LookAlikeAmount(decimal amount)
    {
        decimal other = _random.Next(2) == 0 ? amount + 0.01m : amount + 9m;
        return other % 0.1m == 0 ? other + 0.01m : other;
    }

    public DateTime Date(int maxDays) => Epoch.AddDays(_random.Next(maxDays)).AddSeconds(_random.Next(6 * 3600, 22 * 3600));

    public static string Iso(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Day(DateTime time) => time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string MonthName(DateTime time) => time.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    public string Uuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    public string Alphanumeric(int length, string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append(alphabet[_random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    public string Hex(int length) => Alphanumeric(length, "0123456789abcdef");

    public string AccessToken() => "eyJ" + Alphanumeric(18) + "." + Alphanumeric(30) + "." + Alphanumeric(14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    public string Password() => Alphanumeric(_random.Next(10, 14), "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!$%*");

    public string CallId() => "call_" + Alphanumeric(24, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    public string RequestId() => "req_" + Hex(20);

    /// <summary>An id such as <c>ORD-48213</c>.</summary>
    public string PrefixedId(string prefix, int digits = 5) =>
        prefix + "-" + _random.Next((int)Math.Pow(10, digits - 1), (int)Math.Pow(10, digits)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A near-identical id: two digits swapped or the last digit changed.</summary>
    public string LookAlikeId(string id)
    {
        char[] chars = id.ToCharArray();
        int last = chars.Length - 1;
        if (_random.Next(2) == 0 && char.IsAsciiDigit(chars[last - 1]) && chars[last - 1] != chars[last])
        {
            (chars[last - 1], chars[last]) = (chars[last], chars[last - 1]);
        }
        else
        {
            chars[last] = (char)('0' + (((chars[last] - '0') + _random.Next(1, 9)) % 10));
        }

        return new string(chars);
    }

    public int LookAlikeNumber(int id) => id + (_random.Next(2) == 0 ? 1 : -1) * _random.Next(1, 4) * (_random.Next(2) == 0 ? 1 : 10);

    public (string Name, string Code) Product()
    {
        (string noun, string code) = Pick(ProductNouns);
        return ($"{Pick(ProductAdjectives)} {noun}", string.Create(CultureInfo.InvariantCulture, $"{code}{_random.Next(100, 999)}"));
    }

    public string Color() => Pick(Colors);

    public string SongTitle() => _random.Next(3) switch
    {
        0 => $"{Pick(SongWords)} {Pick(SongWords)}",
        1 => $"The {Pick(SongWords)} {Pick(SongWords)}",
        _ => $"{Pick(SongWords)} of {Pick(SongWords)}",
    };

    public string Artist() => Pick(Artists);

    public string Genre() => Pick(Genres);

    public (string Street, string City, string State, string Zip) Address()
    {
        (string city, string state, string zip) = Pick(Cities);
        return (string.Create(CultureInfo.InvariantCulture, $"{_random.Next(12, 9800)} {Pick(Streets)}"), city, state, zip);
    }

    /// <summary>Prose of <paramref name="minWords"/> to <paramref name="maxWords"/> words, with an optional topic phrase.</summary>
    public string Prose(int minWords, int maxWords, string? topic = null)
    {
        int target = _random.Next(minWords, maxWords + 1);
        var builder = new StringBuilder();
        int words = 0;
        bool first = true;
        while (words < target)
        {
            string sentence = SentenceWithTopic(first ? topic : null);
            first = false;
            builder.Append(builder.Length > 0 ? " " : string.Empty).Append(sentence);
            words += sentence.Count(c => c == ' ') + 1;
        }

        return builder.ToString();
    }

    private string SentenceWithTopic(string? topic)
    {
        string subject = topic is null ? Pick(Openers) : $"The {topic}";
        string lead = _random.Next(3) == 0 ? Pick(Fillers) + " " + char.ToLowerInvariant(subject[0]) + subject[1..] : subject;
        return $"{lead} {Pick(Verbs)} {Pick(Objects)} {Pick(Tails)}.";
    }
}

namespace ContextPress.Evals.World;

/// <summary>Name pools and filler prose: realistic bulk that compressors must learn to shed.</summary>
internal static class Prose
{
    public static readonly string[] FirstNames =
    [
        "Maya", "Jordan", "Priya", "Lucas", "Amara", "Noah", "Elena", "Kenji", "Sofia", "Omar", "Hannah", "Mateo",
        "Aisha", "Felix", "Clara", "Diego", "Ingrid", "Tariq", "Leona", "Viktor", "Naomi", "Rafael", "Yuki", "Bianca",
        "Samuel", "Freya", "Idris", "Camille", "Anton", "Zara", "Hugo", "Mei", "Oscar", "Lina", "Emeka", "Greta",
    ];

    public static readonly string[] LastNames =
    [
        "Lopez", "Reyes", "Sharma", "Becker", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Rossi", "Haddad", "Kowalski",
        "Nguyen", "Fischer", "Alvarez", "Petrov", "Mensah", "Dubois", "Costa", "Schmidt", "Ibrahim", "Novak", "Sato",
        "Brennan", "Vasquez", "Holm", "Castillo", "Adeyemi", "Larsen", "Marino", "Quinn",
    ];

    public static readonly string[] Companies =
    [
        "Lumen Labs", "Northwind Traders", "Bluefin Analytics", "Cedar & Pine", "Orbit Logistics", "Harbor Health",
        "Quartz Studio", "Tidewater Bank", "Juniper Robotics", "Aster Foods", "Copperline Media", "Fernhill School",
    ];

    public static readonly string[] Cities = ["Lisbon", "Toronto", "Austin", "Leeds", "Osaka", "Lyon", "Denver", "Porto", "Malmo", "Cork"];

    public static readonly string[] Merchants =
    [
        "Blue Bottle Coffee", "Green Leaf Grocers", "Metro Transit", "Cinema Paradiso", "Sunrise Bakery", "Pixel Electronics",
        "Harbor Seafood Grill", "City Parking", "Bookworm Corner", "Velo Bike Repair", "Luna Thai Kitchen", "FitHub Gym",
        "Corner Pharmacy", "Stellar Streaming", "Oak & Ember Pizza", "Nimbus Cloud Storage",
    ];

    public static readonly string[] Artists =
    [
        "The Paper Kites", "Nova Lights", "Sable Coast", "Iris Vale", "Echo Meridian", "Golden Hour Club", "Marlow Banks",
        "Velvet Static", "Juno Ray", "Northern Arcade",
    ];

    public static readonly string[] Words =
    [
        "Neon", "Harbor", "Silver", "Midnight", "Paper", "Glass", "Ember", "River", "Static", "Velvet", "Summer", "Hollow",
        "Golden", "Quiet", "Electric", "Distant", "Crimson", "Little", "Northern", "Wild", "Salt", "Cloud", "Signal", "Lantern",
    ];

    public static readonly string[] Nouns =
    [
        "Lights", "Avenue", "Dreams", "Tide", "Letters", "Garden", "Motel", "Echoes", "Parade", "Skyline", "Weather", "Radio",
        "Highway", "Island", "Season", "Mirror", "Orchard", "Runway", "Shoreline", "Heartbeat",
    ];

    private static readonly string[] Sentences =
    [
        "This record was synchronised from the primary data centre and may take a few minutes to propagate to every device linked to the account.",
        "Please note that the information shown here is provided for convenience only and does not constitute a legally binding statement of any kind.",
        "The owner can change the sharing settings at any time from the privacy dashboard, where a full audit trail of previous changes is also available.",
        "If anything looks wrong, contact support through the in-app help centre; our team usually replies within two business days, weekends excluded.",
        "Historical entries older than eighteen months are archived automatically and can be restored on request, subject to the retention policy in force.",
        "Attachments larger than twenty-five megabytes are stored separately and are scanned for malware before they can be downloaded again.",
        "All times are displayed in the time zone configured in the profile, which is used consistently across the mail, calendar and payments apps.",
        "Reminders for this item follow the default notification schedule unless a custom schedule was configured when the item was created.",
        "The item was last reviewed during the quarterly clean-up, when duplicate and obsolete records were merged or removed by the account owner.",
        "Linked items in other apps are updated automatically; deleting this record does not delete the linked items, which must be removed separately.",
        "Usage analytics are aggregated anonymously and never shared with third parties without the explicit consent of the account owner.",
        "A copy of this record is included in the weekly backup, which is encrypted at rest with a key that only the account owner can rotate.",
    ];

    /// <summary>Returns <paramref name="count"/> filler sentences.</summary>
    public static string Filler(SeededRandom random, int count)
    {
        count *= 3; // records in real APIs are verbose: this sets the worlds' scale (peaks of roughly 6-19k tokens)
        var parts = new string[count];
        for (int i = 0; i < count; i++)
        {
            parts[i] = random.Pick(Sentences);
        }

        return string.Join(' ', parts);
    }

    /// <summary>The notice every API response carries.</summary>
    public const string ApiNotice =
        "This response is generated by the SimWorld API gateway. Fields marked as deprecated will be removed in the next major version; " +
        "clients should rely on the documented fields only. Rate limits apply per access token and are reset every sixty seconds. " +
        "Personal data in this response is subject to the account's privacy settings and the applicable data-protection regulation.";
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static ContextPress.Benchmarks.History.TrajectoryBuilder;

namespace ContextPress.Benchmarks.History;

/// <summary>
/// The task families of the simulated world. Each builds the core steps of one task; later calls take their
/// arguments from earlier results (login tokens, ids found among look-alike records, exact amounts, updated values).
/// </summary>
internal static class Scenarios
{
    public static readonly string[] Names = ["amazon_return", "splitwise_venmo", "spotify_playlist", "bill_payment", "email_todoist"];

    public static void Build(int scenario, TrajectoryBuilder b)
    {
        b.Scenario = Names[scenario];
        switch (scenario)
        {
            case 0:
                AmazonReturn(b);
                break;
            case 1:
                SplitwiseVenmo(b);
                break;
            case 2:
                SpotifyPlaylist(b);
                break;
            case 3:
                BillPayment(b);
                break;
            default:
                EmailTodoist(b);
                break;
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Find an order among look-alikes, open it, start a return, message the seller.</summary>
    private static void AmazonReturn(TrajectoryBuilder b)
    {
        WorldData w = b.World;
        (string product, string productCode) = w.Product();
        string color = w.Color();
        DateTime orderDate = w.Date(150);
        b.UserRequest = Inv($"The {product} ({color}) I ordered on Amazon in {WorldData.MonthName(orderDate)} arrived damaged. Please start a return for it with pickup from the address it was shipped to, and send the seller a message with the return number.");
        b.Begin(8);
        b.Profile();
        b.Passwords();
        int login = b.Login("amazon", "Amazon");

        // Orders: the target among look-alikes (same product other months, look-alike products, look-alike ids).
        int count = w.ListSize();
        int target = w.Int(0, count);
        string orderId = w.PrefixedId("ORD");
        decimal unitPrice = w.Amount(15, 400);
        string sellerId = w.PrefixedId("SEL", 4);
        var orders = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            bool isTarget = i == target;
            bool lookAlike = !isTarget && Math.Abs(i - target) <= 3;
            string id = isTarget ? orderId : lookAlike ? w.LookAlikeId(orderId) : w.PrefixedId("ORD");
            (string name, string code) = isTarget || (lookAlike && w.Chance(0.5)) ? (product, isTarget ? productCode : w.LookAlikeId(productCode)) : w.Product();
            DateTime date = isTarget ? orderDate : lookAlike && w.Chance(0.5) ? orderDate.AddDays(w.Int(-3, 4) + 40) : w.Date(180);
            var items = new JsonArray
            {
                new JsonObject
                {
                    ["product_id"] = code,
                    ["name"] = name,
                    ["color"] = isTarget ? color : w.Color(),
                    ["quantity"] = isTarget ? 1 : w.Int(1, 3),
                    ["unit_price"] = isTarget ? unitPrice : lookAlike ? w.LookAlikeAmount(unitPrice) : w.Amount(5, 500),
                },
            };
            int extra = w.Chance(0.35) ? 1 : 0;
            for (int j = 0; j < extra; j++)
            {
                (string n, string c) = w.Product();
                items.Add(new JsonObject { ["product_id"] = c, ["name"] = n, ["color"] = w.Color(), ["quantity"] = 1, ["unit_price"] = w.Amount(5, 200) });
            }

            orders.Add(new JsonObject
            {
                ["order_id"] = id,
                ["order_uuid"] = w.Uuid(),
                ["created_at"] = WorldData.Iso(date),
                ["status"] = isTarget ? "delivered" : w.Pick(["delivered", "delivered", "shipped", "cancelled", "returned"]),
                ["total_amount"] = w.Amount(10, 900),
                ["currency"] = "USD",
                ["items"] = items,
                ["seller_id"] = isTarget ? sellerId : lookAlike ? w.LookAlikeId(sellerId) : w.PrefixedId("SEL", 4),
                ["tracking_number"] = "1Z" + w.Alphanumeric(14, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"),
                ["gift_note"] = w.Chance(0.2) ? w.Prose(30, 80) : null,
            });
        }

        int ordersStep = b.Core(
            "amazon__show_orders",
            [b.Token("amazon"), Trivial("page_index", 0), Trivial("page_size", count), Trivial("sort_by", "-created_at")],
            b.Envelope(orders, 0, count, count + w.Int(0, 120)),
            "Let me list the recent orders to find the one with the item.",
            "Find the order that contains the damaged item");

        // The order's details: seller, shipping address, timeline.
        int addressId = w.Int(10_000, 99_999);
        (string street, string city, string state, string zip) = w.Address();
        string sellerName = Inv($"{w.LastName()} {w.Pick(new[] { "Outfitters", "Goods", "Supply Co", "Home Store", "Trading" })}");
        string sellerEmail = Inv($"support.{sellerId.ToLowerInvariant()}@sellers.amazon-mail.com");
        var timeline = new JsonArray();
        int events = w.Int(5, 11);
        for (int i = 0; i < events; i++)
        {
            timeline.Add(new JsonObject
            {
                ["event"] = w.Pick(new[] { "order_placed", "payment_confirmed", "packed", "shipped", "in_transit", "out_for_delivery", "delivered" }),
                ["at"] = WorldData.Iso(orderDate.AddHours(i * w.Int(5, 30))),
                ["location"] = w.Address().City,
                ["carrier_note"] = w.Chance(0.4) ? w.Prose(10, 25) : null,
            });
        }

        var order = new JsonObject
        {
            ["order_id"] = orderId,
            ["created_at"] = WorldData.Iso(orderDate),
            ["status"] = "delivered",
            ["items"] = new JsonArray
            {
                new JsonObject { ["product_id"] = productCode, ["name"] = product, ["color"] = color, ["quantity"] = 1, ["unit_price"] = unitPrice, ["sku"] = w.Uuid(), ["returnable"] = true },
            },
            ["seller"] = new JsonObject { ["seller_id"] = sellerId, ["name"] = sellerName, ["email"] = sellerEmail, ["rating"] = 4.6 },
            ["shipping_address"] = new JsonObject { ["address_id"] = addressId, ["label"] = "Home", ["street_address"] = street, ["city"] = city, ["state"] = state, ["zip_code"] = zip },
            ["billing_address_id"] = w.LookAlikeNumber(addressId),
            ["payment"] = new JsonObject { ["payment_card_id"] = w.Int(1000, 9999), ["amount"] = unitPrice, ["captured_at"] = WorldData.Iso(orderDate.AddMinutes(3)) },
            ["timeline"] = timeline,
            ["description"] = w.Prose(40, 80, product),
        };
        int orderStep = b.Core(
            "amazon__show_order",
            [b.Token("amazon"), FromTool("order_id", orderId, ordersStep)],
            b.Envelope(order),
            "Found the order; let me open it.",
            "Open the order to find the product, the seller and the shipping address");

        // The product page with reviews (bulk).
        var reviews = new JsonArray();
        int reviewCount = w.Int(8, 20);
        for (int i = 0; i < reviewCount; i++)
        {
            string first = w.FirstName();
            string last = w.LastName();
            reviews.Add(new JsonObject
            {
                ["review_id"] = w.Int(100_000, 999_999),
                ["reviewer_email"] = w.Email(first, last),
                ["rating"] = w.Int(1, 6),
                ["title"] = w.Prose(4, 8),
                ["body"] = w.Prose(20, 50),
                ["created_at"] = WorldData.Iso(w.Date(200)),
                ["helpful_votes"] = w.Int(0, 300),
            });
        }

        var productPage = new JsonObject
        {
            ["product_id"] = productCode,
            ["name"] = product,
            ["brand"] = sellerName,
            ["price"] = unitPrice,
            ["rating"] = 4.2,
            ["return_window_days"] = 30,
            ["description"] = w.Prose(50, 80, product),
            ["reviews"] = reviews,
        };
        b.Core(
            "amazon__show_product",
            [b.Token("amazon"), FromTool("product_id", productCode, orderStep)],
            b.Envelope(productPage),
            "Let me check the product's return terms.",
            "Check that the product can be returned");

        string returnId = w.PrefixedId("RET");
        var returned = new JsonObject
        {
            ["return_id"] = returnId,
            ["status"] = "pickup_scheduled",
            ["refund_amount"] = unitPrice,
            ["pickup_window"] = new JsonObject { ["start"] = WorldData.Iso(WorldData.Epoch.AddDays(203).AddHours(9)), ["end"] = WorldData.Iso(WorldData.Epoch.AddDays(203).AddHours(13)) },
            ["label_uuid"] = w.Uuid(),
            ["instructions"] = w.Prose(30, 60),
        };
        int returnStep = b.Core(
            "amazon__initiate_return",
            [b.Token("amazon"), FromTool("order_id", orderId, ordersStep), FromTool("product_id", productCode, orderStep), Trivial("quantity", 1), Trivial("reason", "damaged"), FromTool("pickup_address_id", addressId, orderStep)],
            b.Envelope(returned),
            "The item is returnable; starting the return.",
            "Start the return with pickup from the shipping address");

        b.Core(
            "amazon__send_message_to_seller",
            [b.Token("amazon"), FromTool("seller_id", sellerId, orderStep), FromTool("order_id", orderId, ordersStep), FromTool("return_id", returnId, returnStep), Composed("message", "Hello, the item arrived damaged and I have started a return.")],
            b.Envelope(new JsonObject { ["message_id"] = w.Uuid(), ["sent_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
            "Return started; now the message to the seller.",
            "Message the seller with the return number");
    }

    /// <summary>Find a group and an expense, then request each member's exact share on Venmo.</summary>
    private static void SplitwiseVenmo(TrajectoryBuilder b)
    {
        WorldData w = b.World;
        string[] groupNames = ["Lake Tahoe Trip", "Roommates", "Book Club", "Office Lunch", "Soccer Team", "Family Reunion", "Ski Weekend", "Road Trip", "Wedding Party", "Beach House"];
        string[] expenseTitles = ["Cabin rental", "Groceries", "Gas and tolls", "Dinner at Luigi", "Concert tickets", "Boat rental", "Internet bill", "Cleaning service"];
        string group = w.Pick(groupNames) + " " + w.Int(2022, 2025).ToString(CultureInfo.InvariantCulture);
        string expense = w.Pick(expenseTitles);
        DateTime expenseDate = w.Date(150);
        b.UserRequest = Inv($"For the '{expense}' expense of {WorldData.Day(expenseDate)} in my '{group}' group on Splitwise, send each of the other members a Venmo payment request for exactly the share Splitwise says they owe.");
        b.Begin(9);
        b.Passwords();
        b.Profile();
        b.Login("splitwise", "Splitwise");

        int groupId = w.Int(1000, 99_999);
        int groupCount = w.Int(20, 41);
        int targetGroup = w.Int(0, groupCount);
        var groups = new JsonArray();
        for (int i = 0; i < groupCount; i++)
        {
            bool isTarget = i == targetGroup;
            bool lookAlike = !isTarget && Math.Abs(i - targetGroup) <= 2;
            groups.Add(new JsonObject
            {
                ["group_id"] = isTarget ? groupId : lookAlike ? w.LookAlikeNumber(groupId) : w.Int(1000, 99_999),
                ["name"] = isTarget ? group : lookAlike ? group[..^4] + (int.Parse(group[^4..], CultureInfo.InvariantCulture) - w.Int(1, 3)).ToString(CultureInfo.InvariantCulture) : w.Pick(groupNames) + " " + w.Int(2018, 2025).ToString(CultureInfo.InvariantCulture),
                ["member_count"] = w.Int(2, 9),
                ["created_at"] = WorldData.Iso(w.Date(300).AddYears(-1)),
                ["default_currency"] = "USD",
                ["simplify_debts"] = w.Chance(0.5),
                ["description"] = w.Chance(0.3) ? w.Prose(30, 60) : null,
            });
        }

        int groupsStep = b.Core("splitwise__show_groups", [b.Token("splitwise"), Trivial("page_index", 0), Trivial("page_size", groupCount)], b.Envelope(groups, 0, groupCount, groupCount), "Let me find the group.", "Find the group");

        // Members of the target group and the expense shares.
        int memberCount = w.Int(2, 4);
        var members = new List<(string Email, decimal Owed)>();
        for (int i = 0; i < memberCount; i++)
        {
            members.Add((w.Email(w.FirstName(), w.LastName()), w.Amount(12, 600)));
        }

        int count = w.ListSize();
        int target = w.Int(0, count);
        var expenses = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            bool isTarget = i == target;
            bool lookAlike = !isTarget && Math.Abs(i - target) <= 3;
            var shares = new JsonArray { new JsonObject { ["email"] = b.Email, ["owed_share"] = w.Amount(10, 600), ["paid_share"] = w.Amount(10, 900) } };
            foreach ((string email, decimal owed) in members)
            {
                shares.Add(new JsonObject
                {
                    ["email"] = isTarget || w.Chance(0.6) ? email : w.LookAlikeEmail(email),
                    ["owed_share"] = isTarget ? owed : lookAlike ? w.LookAlikeAmount(owed) : w.Amount(5, 500),
                    ["paid_share"] = 0.00m,
                });
            }

            expenses.Add(new JsonObject
            {
                ["expense_id"] = w.PrefixedId("EXP"),
                ["title"] = isTarget ? expense : lookAlike ? (w.Chance(0.5) ? expense : expense + w.Pick(new[] { " deposit", " (refund)", " extra" })) : w.Pick(expenseTitles),
                ["cost"] = w.Amount(20, 2000),
                ["date"] = WorldData.Day(isTarget ? expenseDate : lookAlike ? expenseDate.AddDays(w.Int(1, 20)) : w.Date(200)),
                ["paid_by"] = isTarget ? b.Email : w.Pick(members).Email,
                ["category"] = w.Pick(new[] { "lodging", "food", "transport", "entertainment", "utilities" }),
                ["shares"] = shares,
                ["note"] = w.Chance(0.2) ? w.Prose(30, 70) : null,
            });
        }

        int expensesStep = b.Core(
            "splitwise__show_group_expenses",
            [b.Token("splitwise"), FromTool("group_id", groupId, groupsStep), Trivial("page_index", 0), Trivial("page_size", count)],
            b.Envelope(expenses, 0, count, count + w.Int(0, 50)),
            "Now the group's expenses.",
            "Find the expense and each member's share");

        b.Login("venmo", "Venmo");
        b.Core(
            "venmo__show_balance",
            [b.Token("venmo")],
            b.Envelope(new JsonObject { ["balance"] = w.Amount(50, 3000), ["currency"] = "USD", ["pending_requests"] = w.Int(0, 5), ["linked_bank"] = w.Pick(new[] { "Chase", "Wells Fargo", "Ally" }) }),
            "Let me check the Venmo account.",
            "Check the Venmo account");

        for (int i = 0; i < 2; i++)
        {
            (string email, decimal owed) = members[Math.Min(i, members.Count - 1)];
            b.Core(
                "venmo__create_payment_request",
                [b.Token("venmo"), FromTool("user_email", email, expensesStep), FromTool("amount", owed, expensesStep), Composed("description", $"Your share of {expense}")],
                b.Envelope(new JsonObject { ["payment_request_id"] = w.Int(10_000, 999_999), ["status"] = "pending", ["created_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
                i == 0 ? "Requesting the first member's share." : "Now the next member.",
                i == 0 ? "Request the first member's share on Venmo" : "Request the next member's share on Venmo");
        }
    }

    /// <summary>Find a contact and songs among look-alikes, create a playlist, add the songs, share it.</summary>
    private static void SpotifyPlaylist(TrajectoryBuilder b)
    {
        WorldData w = b.World;
        string artist = w.Artist();
        string relationship = w.Pick(new[] { "roommate", "sister", "brother", "coworker", "best friend", "cousin" });
        string friendFirst = w.FirstName();
        string friendLast = w.LastName();
        string friendEmail = w.Email(friendFirst, friendLast);
        string title = Inv($"{w.Pick(new[] { "Road Trip", "Focus", "Sunday Morning", "Workout", "Late Night" })} Mix {w.Int(1, 9)}");
        b.UserRequest = Inv($"Create a private Spotify playlist called '{title}' with the two most played songs by {artist}, and share it with my {relationship} {friendFirst}.");
        b.Begin(10);
        b.Profile();
        b.Passwords();
        b.Login("phone", "the Phone app");

        int count = w.ListSize();
        int target = w.Int(0, count);
        var contacts = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            bool isTarget = i == target;
            bool lookAlike = !isTarget && Math.Abs(i - target) <= 2;
            string first = isTarget || lookAlike ? friendFirst : w.FirstName();
            string last = isTarget ? friendLast : w.LastName();
            contacts.Add(new JsonObject
            {
                ["contact_id"] = w.Int(1000, 99_999),
                ["first_name"] = first,
                ["last_name"] = last,
                ["email"] = isTarget ? friendEmail : lookAlike && w.Chance(0.5) ? w.LookAlikeEmail(friendEmail) : w.Email(first, last),
                ["phone_number"] = w.Phone(),
                ["relationships"] = new JsonArray(isTarget ? relationship : w.Pick(new[] { "friend", "coworker", "neighbor", "cousin", "classmate" })),
                ["birthday"] = WorldData.Day(new DateTime(w.Int(1970, 2004), w.Int(1, 13), w.Int(1, 28), 0, 0, 0, DateTimeKind.Utc)),
                ["notes"] = w.Chance(0.2) ? w.Prose(30, 60) : null,
            });
        }

        int contactsStep = b.Core(
            "phone__search_contacts",
            [b.Token("phone"), FromUser("query", friendFirst), Trivial("page_index", 0), Trivial("page_size", count)],
            b.Envelope(contacts, 0, count, count),
            Inv($"Let me find my {relationship}'s contact."),
            "Find the contact to share with");

        b.Login("spotify", "Spotify");
        int songCount = w.ListSize();
        var songs = new JsonArray();
        var byArtist = new List<(int Id, int Plays)>();
        for (int i = 0; i < songCount; i++)
        {
            bool mine = i % 3 == 0 || i < 4;
            int id = w.Int(10_000, 99_999);
            int plays = w.Int(1000, 5_000_000);
            if (mine)
            {
                byArtist.Add((id, plays));
            }

            songs.Add(new JsonObject
            {
                ["song_id"] = id,
                ["title"] = w.SongTitle(),
                ["artists"] = new JsonArray(new JsonObject { ["artist_id"] = w.Int(100, 9999), ["name"] = mine ? artist : w.Artist() }),
                ["album"] = new JsonObject { ["album_id"] = w.Int(1000, 99_999), ["title"] = w.SongTitle() },
                ["genre"] = w.Genre(),
                ["duration_seconds"] = w.Int(120, 420),
                ["play_count"] = plays,
                ["like_count"] = w.Int(10, 90_000),
                ["release_date"] = WorldData.Day(w.Date(3000).AddYears(-8)),
                ["about"] = w.Chance(0.2) ? w.Prose(30, 70) : null,
            });
        }

        int searchStep = b.Core(
            "spotify__search_songs",
            [b.Token("spotify"), FromUser("query", artist), Trivial("page_index", 0), Trivial("page_size", songCount)],
            b.Envelope(songs, 0, songCount, songCount + w.Int(0, 300)),
            "Let me find the artist's songs.",
            "Find the artist's most played songs");

        byArtist.Sort((x, y) => y.Plays.CompareTo(x.Plays));
        int playlistId = w.Int(1000, 99_999);
        int createStep = b.Core(
            "spotify__create_playlist",
            [b.Token("spotify"), FromUser("title", title), Trivial("is_public", false)],
            b.Envelope(new JsonObject { ["playlist_id"] = playlistId, ["title"] = title, ["is_public"] = false, ["created_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
            "Creating the playlist.",
            "Create the playlist");

        for (int i = 0; i < 2; i++)
        {
            b.Core(
                "spotify__add_song_to_playlist",
                [b.Token("spotify"), FromTool("playlist_id", playlistId, createStep), FromTool("song_id", byArtist[i].Id, searchStep)],
                b.Envelope(new JsonObject { ["playlist_id"] = playlistId, ["song_count"] = i + 1, ["updated_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200).AddMinutes(i + 1)) }),
                i == 0 ? "Adding the most played song." : "Adding the second one.",
                i == 0 ? "Add the most played song" : "Add the second most played song");
        }

        b.Core(
            "spotify__show_playlist",
            [b.Token("spotify"), FromTool("playlist_id", playlistId, createStep)],
            b.Envelope(new JsonObject { ["playlist_id"] = playlistId, ["title"] = title, ["song_ids"] = new JsonArray(byArtist[0].Id, byArtist[1].Id), ["followers"] = 0, ["description"] = w.Prose(30, 50) }),
            "Let me verify the playlist.",
            "Verify the playlist");

        b.Core(
            "spotify__share_playlist",
            [b.Token("spotify"), FromTool("playlist_id", playlistId, createStep), FromTool("recipient_email", friendEmail, contactsStep)],
            b.Envelope(new JsonObject { ["share_id"] = w.Uuid(), ["status"] = "sent" }),
            "Sharing it now.",
            "Share the playlist with the contact");
    }

    /// <summary>Read a bill file (optionally a huge statement), pay it on Venmo, then withdraw the updated balance.</summary>
    private static void BillPayment(TrajectoryBuilder b)
    {
        WorldData w = b.World;
        string[] billers = ["city-power", "metro-water", "fiber-net", "gas-utility", "cell-wireless", "waste-services"];
        string biller = w.Pick(billers);
        DateTime month = WorldData.Epoch.AddMonths(w.Int(0, 6));
        b.Begin(10);
        b.Passwords();
        b.Profile();
        b.Login("file_system", "the file system");

        int count = w.ListSize();
        int target = w.Int(0, count);
        string targetPath = Inv($"~/bills/{biller}-{month:yyyy-MM}.txt");
        var files = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            bool isTarget = i == target;
            bool lookAlike = !isTarget && Math.Abs(i - target) <= 3;
            DateTime m = lookAlike && w.Chance(0.5) ? month.AddMonths(w.Pick(new[] { -1, 1 })) : month.AddMonths(w.Int(-8, 2));
            string path = isTarget ? targetPath : Inv($"~/bills/{(lookAlike ? biller : w.Pick(billers))}-{m:yyyy-MM}.txt");
            if (!isTarget && path == targetPath)
            {
                path = Inv($"~/bills/{biller}-{month:yyyy-MM}-draft.txt");
            }

            files.Add(new JsonObject
            {
                ["file_id"] = w.Uuid(),
                ["path"] = path,
                ["size_bytes"] = w.Int(800, 90_000),
                ["created_at"] = WorldData.Iso(w.Date(200)),
                ["modified_at"] = WorldData.Iso(w.Date(200)),
                ["tags"] = new JsonArray("bills", w.Pick(new[] { "paid", "unpaid", "archived", "autopay" })),
                ["summary"] = w.Chance(0.2) ? w.Prose(30, 60) : null,
            });
        }

        int dirStep = b.Core(
            "file_system__show_directory",
            [b.Token("file_system"), Trivial("directory_path", "~/bills/"), Trivial("page_index", 0), Trivial("page_size", count)],
            b.Envelope(files, 0, count, count),
            "Let me find the bill file.",
            "Find the bill file for the month");

        decimal due = w.Amount(40, 400);
        string billerEmail = Inv($"payments.{biller}@billing-{w.Int(10, 99)}.com");
        string account = w.Alphanumeric(10, "0123456789");
        var content = new StringBuilder();
        content.AppendLine(Inv($"{biller.ToUpperInvariant().Replace('-', ' ')} - STATEMENT FOR {month:MMMM yyyy}"));
        content.AppendLine(Inv($"Account number: {account}"));
        content.AppendLine(Inv($"Customer: {b.FirstName} {b.LastName}"));
        content.AppendLine(Inv($"Previous balance: {w.LookAlikeAmount(due)}"));
        content.AppendLine(w.Prose(30, 60));
        bool huge = b.Huge == HugeMode.Relevant;
        if (huge)
        {
            // A long itemised statement: the amount due sits in the middle, among many other amounts.
            int lines = w.Int(240, 400);
            int dueLine = w.Int(lines / 3, (2 * lines) / 3);
            for (int i = 0; i < lines; i++)
            {
                if (i == dueLine)
                {
                    content.AppendLine(Inv($"TOTAL AMOUNT DUE: {due} (pay by {month.AddDays(45):yyyy-MM-dd} via Venmo to {billerEmail})"));
                }

                content.AppendLine(Inv($"{month.AddDays(i % 28):yyyy-MM-dd}  {w.Pick(new[] { "Usage charge", "Delivery fee", "Regulatory fee", "Late adjustment", "Service credit", "Meter reading" })}  ref {w.Alphanumeric(8, "0123456789ABCDEF")}  {w.Amount(1, 90)}"));
                if (i % 9 == 0)
                {
                    content.AppendLine(w.Prose(15, 40));
                }
            }
        }
        else
        {
            content.AppendLine(Inv($"Amount due: {due}"));
            content.AppendLine(Inv($"Due date: {month.AddDays(45):yyyy-MM-dd}"));
            content.AppendLine(Inv($"Pay via Venmo to: {billerEmail}"));
            content.AppendLine(Inv($"Minimum payment: {w.LookAlikeAmount(due)}"));
            content.AppendLine(w.Prose(40, 80));
        }

        b.UserRequest = Inv($"Pay my {biller} bill for {month:MMMM yyyy} (it's in my bills folder) from my Venmo balance to the biller's Venmo account, then move whatever is left in my Venmo balance to my {{CARD}} card.");
        int fileStep = b.Core(
            "file_system__show_file",
            [b.Token("file_system"), FromTool("file_path", targetPath, dirStep)],
            b.Envelope(new JsonObject { ["path"] = targetPath, ["content"] = content.ToString() }),
            "Opening the bill.",
            "Read the amount due and the payee from the bill",
            huge);

        (int cardsStep, int cardId, string cardName) = b.PaymentCards(core: true);
        b.UserRequest = b.UserRequest.Replace("{CARD}", cardName, StringComparison.Ordinal);
        b.Login("venmo", "Venmo");
        decimal balance = w.Amount(500, 3000);
        b.Core(
            "venmo__show_balance",
            [b.Token("venmo")],
            b.Envelope(new JsonObject { ["balance"] = balance, ["currency"] = "USD", ["as_of"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
            "Let me check the balance first.",
            "Check the Venmo balance");

        decimal newBalance = balance - due;
        if (newBalance % 0.1m == 0)
        {
            newBalance += 0.01m;
        }

        int payStep = b.Core(
            "venmo__send_money",
            [b.Token("venmo"), FromTool("receiver_email", billerEmail, fileStep), FromTool("amount", due, fileStep), Composed("description", "Bill payment")],
            b.Envelope(new JsonObject { ["transaction_id"] = w.Int(100_000, 9_999_999), ["amount"] = due, ["new_balance"] = newBalance, ["created_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
            "Paying the bill.",
            "Pay the bill on Venmo");

        b.Core(
            "venmo__withdraw_from_balance",
            [b.Token("venmo"), FromTool("amount", newBalance, payStep), FromTool("payment_card_id", cardId, cardsStep)],
            b.Envelope(new JsonObject { ["withdrawal_id"] = w.Uuid(), ["status"] = "processing" }),
            "Moving the rest of the balance.",
            "Move the remaining balance to the card");
    }

    /// <summary>Find an e-mail thread, read the rescheduled date, add a task in the right project, reply.</summary>
    private static void EmailTodoist(TrajectoryBuilder b)
    {
        WorldData w = b.World;
        string senderFirst = w.FirstName();
        string senderLast = w.LastName();
        string org = w.Pick(new[] { "Bright Smile Dental", "Northside Clinic", "City Vet Care", "Harbor Physio", "Oak Eye Center" });
        string appointment = w.Pick(new[] { "dental cleaning", "annual checkup", "vet visit", "physio session", "eye exam" });
        string senderEmail = Inv($"{senderFirst.ToLowerInvariant()}.{senderLast.ToLowerInvariant()}@{org.ToLowerInvariant().Replace(' ', '-')}.com");
        string[] projectNames = ["Health", "Errands", "Home", "Work", "Finance", "Family", "Travel", "Pets"];
        string project = w.Pick(projectNames);
        b.UserRequest = Inv($"{senderFirst} from {org} e-mailed me about my {appointment}. Add it as a task to my '{project}' project in Todoist with the final date and time and the confirmation code, then reply to the e-mail thread to confirm.");
        b.Begin(9);
        b.Passwords();
        b.Profile();
        b.Login("gmail", "Gmail");

        int count = w.ListSize();
        int target = w.Int(0, count);
        string threadId = "THR-" + w.Alphanumeric(8, "0123456789abcdef");
        var threads = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            bool isTarget = i == target;
            bool lookAlike = !isTarget && Math.Abs(i - target) <= 2;
            string first = w.FirstName();
            string last = w.LastName();
            threads.Add(new JsonObject
            {
                ["thread_id"] = isTarget ? threadId : lookAlike ? w.LookAlikeId(threadId) : "THR-" + w.Alphanumeric(8, "0123456789abcdef"),
                ["subject"] = isTarget ? Inv($"Your {appointment} at {org}") : lookAlike ? Inv($"{org} newsletter") : w.Prose(4, 9),
                ["from"] = new JsonObject { ["name"] = isTarget || lookAlike ? $"{senderFirst} {senderLast}" : $"{first} {last}", ["email"] = isTarget ? senderEmail : lookAlike ? w.LookAlikeEmail(senderEmail) : w.Email(first, last) },
                ["received_at"] = WorldData.Iso(w.Date(190)),
                ["labels"] = new JsonArray(w.Pick(new[] { "inbox", "updates", "promotions", "personal" })),
                ["unread"] = w.Chance(0.4),
                ["message_count"] = w.Int(1, 6),
                ["snippet"] = w.Chance(0.25) ? w.Prose(30, 70) : w.Prose(8, 16),
            });
        }

        int inboxStep = b.Core(
            "gmail__show_inbox_threads",
            [b.Token("gmail"), Trivial("page_index", 0), Trivial("page_size", count)],
            b.Envelope(threads, 0, count, count + w.Int(0, 400)),
            "Let me find the e-mail.",
            "Find the e-mail thread about the appointment");

        DateTime booked = WorldData.Epoch.AddDays(w.Int(205, 240)).AddHours(w.Int(8, 17)).AddMinutes(w.Pick(new[] { 0, 15, 30, 45 }));
        DateTime moved = booked.AddDays(w.Int(2, 12)).AddHours(w.Int(-2, 3));
        string code = "CNF-" + w.Alphanumeric(6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
        var messages = new JsonArray
        {
            new JsonObject
            {
                ["email_id"] = w.Int(100_000, 999_999),
                ["from"] = senderEmail,
                ["sent_at"] = WorldData.Iso(booked.AddDays(-20)),
                ["body"] = Inv($"Hello {b.FirstName}, your {appointment} at {org} is booked for {booked:yyyy-MM-dd} at {booked:HH:mm}. Your confirmation code is {code}. ") + w.Prose(40, 80),
            },
            new JsonObject
            {
                ["email_id"] = w.Int(100_000, 999_999),
                ["from"] = senderEmail,
                ["sent_at"] = WorldData.Iso(booked.AddDays(-5)),
                ["body"] = Inv($"Hi {b.FirstName}, we need to reschedule: your {appointment} is now on {moved:yyyy-MM-dd} at {moved:HH:mm} instead. The confirmation code {code} stays the same. ") + w.Prose(30, 60),
            },
        };
        int threadStep = b.Core(
            "gmail__show_thread",
            [b.Token("gmail"), FromTool("thread_id", threadId, inboxStep)],
            b.Envelope(new JsonObject { ["thread_id"] = threadId, ["subject"] = Inv($"Your {appointment} at {org}"), ["messages"] = messages }),
            "Opening the thread.",
            "Read the final appointment date and the confirmation code");

        b.Login("todoist", "Todoist");
        int projectId = w.Int(1000, 999_999);
        int projectCount = w.Int(20, 41);
        int targetProject = w.Int(0, projectCount);
        var projects = new JsonArray();
        for (int i = 0; i < projectCount; i++)
        {
            bool isTarget = i == targetProject;
            bool lookAlike = !isTarget && Math.Abs(i - targetProject) <= 2;
            projects.Add(new JsonObject
            {
                ["project_id"] = isTarget ? projectId : lookAlike ? w.LookAlikeNumber(projectId) : w.Int(1000, 999_999),
                ["name"] = isTarget ? project : lookAlike ? project + w.Pick(new[] { " Archive", " (old)", " 2023" }) : w.Pick(projectNames) + " " + w.Pick(new[] { "Ideas", "Backlog", "Someday", "Q3" }),
                ["color"] = w.Pick(new[] { "red", "blue", "green", "violet", "grey" }),
                ["is_favorite"] = w.Chance(0.3),
                ["task_count"] = w.Int(0, 60),
                ["created_at"] = WorldData.Iso(w.Date(300).AddYears(-1)),
                ["description"] = w.Chance(0.3) ? w.Prose(30, 60) : null,
            });
        }

        int projectsStep = b.Core("todoist__show_projects", [b.Token("todoist")], b.Envelope(projects, 0, projectCount, projectCount), "Let me find the project.", "Find the project");
        b.Core(
            "todoist__create_task",
            [b.Token("todoist"), FromTool("project_id", projectId, projectsStep), Composed("content", Inv($"{appointment} at {org}")), FromTool("due_date", Inv($"{moved:yyyy-MM-dd}"), threadStep), FromTool("due_time", Inv($"{moved:HH:mm}"), threadStep), FromTool("description", code, threadStep)],
            b.Envelope(new JsonObject { ["task_id"] = w.Int(1_000_000, 9_999_999), ["created_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
            "Creating the task with the new date.",
            "Create the task with the final date, time and code");

        b.Core(
            "gmail__reply_to_thread",
            [b.Token("gmail"), FromTool("thread_id", threadId, inboxStep), Composed("body", "Thank you, the new time works for me.")],
            b.Envelope(new JsonObject { ["email_id"] = w.Int(100_000, 999_999), ["sent_at"] = WorldData.Iso(WorldData.Epoch.AddDays(200)) }),
            "Replying to confirm.",
            "Reply to the thread to confirm");
    }
}

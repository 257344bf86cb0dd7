//! The categories: checklists, owners, and the topics customers write about with their solutions.

pub(super) struct CategorySpec {
    pub(super) key: &'static str,
    pub(super) name: &'static str,
    pub(super) checklist: &'static [(&'static str, &'static str, bool)],
    pub(super) manager: &'static str,
    pub(super) executive: &'static str,
    /// Share of the intake.
    pub(super) weight: f64,
    /// What customers write about, each with how it gets solved.
    pub(super) topics: &'static [Topic],
    /// A staff message asking for what is needed or saying what is being done.
    pub(super) ask: &'static [&'static str],
    /// The customer's answer.
    pub(super) replies: &'static [&'static str],
    /// Road 4, "go away": (resolution, learned).
    pub(super) away: &'static [(&'static str, &'static str)],
    pub(super) upgrade: &'static [&'static str],
    /// The customer writing back after the case was solved: it was not.
    pub(super) reopen: &'static [&'static str],
    pub(super) delight: &'static [&'static str],
}

/// One kind of problem. Texts may use `{order}`, `{product}`, `{amount}`, `{invoice}`,
/// `{month}`, `{account}` and `{first}`; each road is (resolution, learned).
pub(super) struct Topic {
    pub(super) subject: &'static str,
    pub(super) body: &'static str,
    /// Road 3: teach the customer to help themselves.
    pub(super) teach: (&'static str, &'static str),
    /// Road 2: empathy and care.
    pub(super) care: (&'static str, &'static str),
    /// Road 1: learn from the customer and change something.
    pub(super) learn: (&'static str, &'static str),
}

const fn topic(
    subject: &'static str,
    body: &'static str,
    teach: (&'static str, &'static str),
    care: (&'static str, &'static str),
    learn: (&'static str, &'static str),
) -> Topic {
    Topic {
        subject,
        body,
        teach,
        care,
        learn,
    }
}

pub(super) const CATEGORIES: &[CategorySpec] = &[
    CategorySpec {
        key: "billing",
        name: "Billing and payments",
        checklist: &[
            ("account_number", "Account number", true),
            ("invoice_number", "Invoice number", false),
            ("billing_period", "Billing period", false),
        ],
        manager: "helen_achterberg",
        executive: "daniel_reyes",
        weight: 0.26,
        topics: &[
            topic(
                "Charged twice for my {month} subscription",
                "Hi, my card was charged {amount} twice this month for the same subscription. Can you refund the duplicate? My account is {account}.",
                ("Showed the customer the pending and posted charges on the billing page: the second one is a card authorisation that drops off within 3 days.", "Customers read pending card authorisations as double charges; the billing page doesn't say which is which."),
                ("Refunded the duplicate charge of {amount}, sent the refund reference and added a month's credit for the trouble.", "Duplicate charges come from the payment retry after a provider timeout."),
                ("Refunded {amount} and traced the duplicate to the retry after a payment timeout; the payments team is making the retry idempotent.", "Retrying a timed-out payment without an idempotency key charges the customer twice."),
            ),
            topic(
                "Invoice {invoice} shows the wrong company name",
                "The invoice {invoice} has our old company name on it and our accountant won't accept it. Can you reissue it?",
                ("Showed the customer how to update the company name in billing details and regenerate the invoice PDF themselves.", "Customers don't know invoices can be regenerated after changing billing details."),
                ("Reissued invoice {invoice} with the correct company name and emailed it directly to the customer's accountant.", "Company name changes are not carried over to invoices already issued."),
                ("Reissued the invoice and had finance regenerate every invoice since the name change for business accounts.", "Business customers need invoices in their legal name; ours freeze the name at signup."),
            ),
            topic(
                "Can't download my invoice",
                "The download button on the invoices page does nothing. I need the {month} invoice for my expenses today.",
                ("Walked the customer through Account > Billing > Invoices on the website; the app's download button fails on mobile data.", "The invoice download fails silently on mobile data; the help article doesn't mention it."),
                ("Emailed the {month} invoice as a PDF straight away and logged the broken button with the app team.", "The invoices button on Android does nothing since the last app release."),
                ("Sent the invoice and got the app team to fix the download button, broken on Android since the last release.", "A broken invoice button brings a steady stream of contacts at every month end."),
            ),
            topic(
                "Payment failed but the money left my account",
                "The checkout said the payment failed, but {amount} has gone from my bank account. Did it go through or not?",
                ("Explained the bank's temporary hold and showed where the order status confirms no payment was taken; the hold cleared in 2 days.", "Our 'payment failed' screen doesn't mention that the bank may show a temporary hold."),
                ("Confirmed the payment was never captured, asked the payments provider to release the hold and called the customer to explain.", "Failed payments leave a visible hold for up to 5 days at some banks."),
                ("Released the hold with the payments provider and changed the failure screen to explain temporary holds.", "Customers who see money leave after a failure assume we took it; one sentence on the screen prevents the contact."),
            ),
            topic(
                "Refund promised three weeks ago still not here",
                "I was told on the phone that {amount} would be refunded within 5 days. It has been three weeks. Account {account}.",
                ("Showed the customer where refunds appear in the order history with the bank reference; it had been paid to the original card.", "Customers can't see the status of a refund anywhere but at their bank."),
                ("Found the refund had never been issued; paid {amount} at once, added a goodwill credit and apologised.", "Refunds promised on the phone were not recorded anywhere."),
                ("Paid the refund and changed the process so refunds promised by phone are logged as tasks on the case.", "Refund promises made on calls were forgotten because nothing tracked them."),
            ),
            topic(
                "Why did my plan price go up?",
                "My monthly price went up without any notice I can find. What changed and can I go back to the old plan?",
                ("Explained the price change and showed the customer how to switch to the annual plan, which works out at the old monthly price.", "Customers don't know plan changes are self-service."),
                ("Kept the customer on the old price for 12 months as a thank-you for ten years with us.", "Long-standing customers feel a price rise as a betrayal."),
                ("Restored the old price for the customer and asked for an in-app notice before any future price change.", "The price change email went to spam for many customers; nobody saw it coming."),
            ),
            topic(
                "Still billed after cancelling",
                "I cancelled in {month} and got a confirmation email, but I was billed {amount} again this month.",
                ("Showed the customer the cancellation confirmation: the last charge covered the final month of notice, and nothing more will be taken.", "Customers don't expect to pay for the final month of notice; the confirmation doesn't say so."),
                ("Stopped the charges, refunded {amount} and confirmed the cancellation in writing.", "Cancellations made in the Android app did not stop the billing schedule."),
                ("Refunded the charge and had billing fix cancellations from the Android app, which left the schedule running.", "Android cancellations never reached the billing system for six weeks."),
            ),
            topic(
                "Direct debit taken on the wrong date",
                "The payment was supposed to come out on the 28th, after payday. It came out on the 3rd and my account went overdrawn.",
                ("Walked the customer through choosing a collection day in payment settings.", "The direct debit date setting is buried three screens deep."),
                ("Refunded the overdraft fee the customer's bank charged and moved their collection date to the 28th.", "A wrong collection date can cost a customer more than the bill."),
                ("Moved the collection date, refunded the overdraft fee, and fixed the mandate date for everyone in the same batch.", "Our direct debit batch ignored the chosen collection day for accounts migrated in spring."),
            ),
        ],
        ask: &[
            "Thank you for flagging this, {first}. I'm checking account {account} with our payments team now and will come back to you today.",
            "I've pulled up account {account}. Could you send me a screenshot of what you see, so I can match it to our records?",
            "Quick update: finance is looking at this now; I'll write again as soon as I have their answer, today at the latest.",
        ],
        replies: &[
            "Screenshot attached. Thanks for looking into it so quickly.",
            "Thanks, here are the details you asked for.",
            "Any news? I really need this sorted before the end of the month.",
            "OK, thanks for keeping me posted.",
        ],
        away: &[("Explained that the charge follows our terms and cannot be changed.", "Billing questions answered with 'it's in the terms' come back angrier.")],
        upgrade: &[
            "Third customer today charged twice after a payment timeout; Helen should hear this one live.",
            "Small-business owner with a clear explanation of why our invoices don't work for accountants.",
            "Price rise complaint from a ten-year customer; the product owner should hear it first-hand.",
        ],
        reopen: &[
            "It still isn't sorted: nothing has shown up in my account and I've been charged again.",
            "Sorry, this isn't fixed. The new document still has the old details.",
        ],
        delight: &[
            "Refund within an hour and a month free without even asking.",
            "She called me back exactly when she said she would.",
            "Sorted out my accountant's problem directly, so I didn't have to be the middle man.",
        ],
    },
    CategorySpec {
        key: "delivery",
        name: "Delivery",
        checklist: &[
            ("order_id", "Order id", true),
            ("delivery_date", "Expected delivery date", false),
            ("tracking_number", "Carrier tracking number", false),
        ],
        manager: "samuel_osei",
        executive: "tomas_lindqvist",
        weight: 0.24,
        topics: &[
            topic(
                "Order {order} hasn't arrived",
                "My order {order} was supposed to arrive last week. The tracking hasn't updated in five days.",
                ("Showed the customer the carrier's live tracking with the new estimate; the parcel was held at the sorting centre and arrives tomorrow.", "The tracking on our order page lags the carrier's by a day."),
                ("The carrier's trace found the parcel lost; sent a replacement by express at no cost.", "This carrier route loses more parcels than any other."),
                ("Sent a replacement and moved deliveries in the postcode area to the second carrier after the trace showed repeated losses.", "One carrier depot accounts for most of our lost parcels."),
            ),
            topic(
                "Tracking says delivered but nothing here",
                "Tracking for {order} says delivered at 14:02 but there is no parcel, not with the neighbours either.",
                ("Showed the customer the delivery photo and safe-place note on the tracking page; the parcel was in the bin store.", "Customers don't know the tracking page has a delivery photo."),
                ("Sent a replacement {product} by express and opened the claim with the carrier ourselves.", "'Delivered but not received' clusters on one driver's route."),
                ("Replaced the order and sent the GPS scans to the carrier, who retrained the driver on that route.", "A GPS location with each delivery scan settles most 'not received' cases in minutes."),
            ),
            topic(
                "Parcel delivered to the wrong address",
                "The photo on the tracking page shows a door that isn't mine. Order {order}.",
                ("Showed the customer how to add delivery instructions and the flat number to their saved address.", "Flats with shared entrances need delivery instructions; checkout doesn't ask for them."),
                ("Had the carrier collect the parcel from the wrong address and redeliver it the next morning.", "Carrier drivers confuse flat numbers in converted houses."),
                ("Redelivered and added a 'flat / building' field to checkout addresses.", "Addresses without a flat number cause misdeliveries in converted houses."),
            ),
            topic(
                "Need to change the delivery date for {order}",
                "I'll be away on the planned delivery date. Can the {product} be delivered next week instead?",
                ("Showed the customer how to reschedule delivery from the tracking link; rescheduled for next Tuesday.", "Customers don't know the tracking page lets them reschedule."),
                ("Rescheduled the delivery for next Tuesday with the carrier and confirmed by SMS.", "Parcels already at the depot can only be rescheduled by phone."),
                ("Rescheduled, and asked the carrier integration team to let customers pick a delivery day at checkout.", "Customers would choose their delivery day if we let them."),
            ),
            topic(
                "Box left in the rain, {product} damaged",
                "The courier left the box on the doorstep in the rain and the {product} inside is wet and won't switch on.",
                ("Sent a replacement and showed the customer how to set a safe place so parcels are never left on the doorstep.", "Few customers set a safe place; the option is hidden in account settings."),
                ("Sent a replacement {product} by express and didn't ask for the damaged one back.", "Doorstep deliveries in the rain damage electronics."),
                ("Replacement shipped, carrier claim filed, and packaging changed to waterproof outer bags for electronics.", "Our boxes are not water resistant; electronics left outside are ruined."),
            ),
            topic(
                "Only half of my order arrived",
                "Order {order} had two items but only one box came. Is the other one coming separately?",
                ("Explained split shipments and shared both tracking links from the order page.", "The order page doesn't show that an order was split into several parcels."),
                ("The warehouse confirmed the second parcel never left; shipped it by express today.", "Split orders sometimes leave the second parcel behind at packing."),
                ("Shipped the missing item and got the warehouse to scan every parcel of a split order before closing it.", "Split orders are closed when the first parcel ships."),
            ),
            topic(
                "Paid for express, arrived four days late",
                "I paid extra for next-day delivery for a birthday present. It arrived four days later.",
                ("Refunded the express fee and showed where checkout shows the express cut-off time for next time.", "Customers miss the express cut-off line at checkout."),
                ("Refunded the express fee and added a gift card for the missed birthday.", "Express orders placed after 15:00 miss the carrier's cut-off but we still charge for express."),
                ("Refunded the express fee and changed checkout to show the real express cut-off time.", "Checkout promises next-day delivery after the carrier's cut-off; customers feel misled."),
            ),
        ],
        ask: &[
            "Thanks {first}, I've opened a trace with the carrier for {order}. They answer within a working day; I'll update you the moment I hear.",
            "Could you check with your neighbours and any safe place (porch, bin store)? Meanwhile I'm asking the carrier for the GPS location of the delivery scan.",
            "I've asked our warehouse and the carrier about {order}; I'll come back to you this afternoon.",
        ],
        replies: &[
            "Checked with the neighbours, nothing there.",
            "Thanks, next Tuesday would be ideal if possible.",
            "Still nothing today. Any update from the courier?",
            "Thanks for chasing the courier for me.",
        ],
        away: &[("Told the customer the carrier is responsible and gave them the carrier's claim form.", "Customers expect us to deal with the carrier, not to be sent to them.")],
        upgrade: &[
            "Customer has a photo of the courier leaving the parcel in the rain; Samuel wanted to hear about packaging issues directly.",
            "Fourth 'delivered but not received' on the same postcode this week.",
            "Express delivery failure for a gift; the product owner asked to hear these live.",
        ],
        reopen: &["The redelivery didn't happen either. Nobody came.", "The replacement arrived but it's the wrong colour."],
        delight: &[
            "A replacement was on its way before I'd even finished explaining.",
            "They dealt with the courier so I didn't have to.",
            "A gift card for my daughter's birthday, a lovely touch.",
        ],
    },
    CategorySpec {
        key: "product_fault",
        name: "Product fault",
        checklist: &[
            ("order_id", "Order id", true),
            ("serial_number", "Serial number", true),
            ("photo_description", "What the photo or video shows", false),
        ],
        manager: "yuki_tanaka",
        executive: "priya_natarajan",
        weight: 0.20,
        topics: &[
            topic(
                "{product} stopped working after two weeks",
                "My {product} worked fine for two weeks and now it won't turn on at all. I've tried another socket.",
                ("Walked the customer through the 15-second reset; the {product} came back to life.", "A reset fixes most 'dead' units; the quick-start card doesn't mention it."),
                ("Sent a replacement {product} with a prepaid return label for the faulty one.", "Early failures cluster in one production batch."),
                ("Replaced the unit and sent the faulty one to engineering, who found a failing power board in the batch.", "A power-board supplier change caused early failures in one batch."),
            ),
            topic(
                "{product} makes a grinding noise",
                "Since yesterday the {product} makes a loud grinding noise when it starts. Video attached.",
                ("Showed the customer how to clear the intake and reseat the filter; the noise stopped.", "A misplaced filter causes the grinding noise; the manual's picture is unclear."),
                ("Sent a replacement {product} and collected the noisy one.", "Grinding noise reports come from the same serial range."),
                ("Replacement sent; serial logged against the batch; engineering now tests cold starts on every unit of the batch.", "A bearing defect in one batch causes the grinding noise; QA didn't test cold starts."),
            ),
            topic(
                "{product} won't connect to Wi-Fi",
                "The {product} won't join my home Wi-Fi. Every other device works. The app says 'timeout'.",
                ("Walked the customer through joining the 2.4 GHz network; the {product} connected.", "Most Wi-Fi failures are 5 GHz-only networks; the setup guide doesn't say so."),
                ("Stayed on the phone through setup, then sent a replacement when the Wi-Fi module proved faulty.", "Some Wi-Fi modules fail their first firmware check."),
                ("Set the customer up and asked the app team to detect 5 GHz-only networks during setup.", "The setup app could tell customers their network is 5 GHz only instead of timing out."),
            ),
            topic(
                "Battery on my {product} drains overnight",
                "Fully charged at night, flat in the morning, even when switched off.",
                ("Showed the customer how to turn off 'always listening' standby; the battery now lasts days.", "The standby setting drains the battery and is on by default."),
                ("Replaced the battery pack free of charge and sent it by express.", "Batteries from one supplier lose charge in standby."),
                ("Replaced the unit and shared the customer's battery log with engineering.", "Standby drain comes from the Wi-Fi module never sleeping on older units."),
            ),
            topic(
                "{product} arrived with a cracked housing",
                "The {product} arrived with a crack along the base. The box looked fine.",
                ("Sent a replacement housing and the two-minute video showing how to swap it.", "Housings can be swapped by customers; we ship whole units instead."),
                ("Replaced the cracked unit by express and apologised; no need to return the broken one.", "Cracked housings cluster in one warehouse's shipments."),
                ("Replaced the unit and got the warehouse to add corner protection to this product's packaging.", "The box passes drop tests but the inner tray lets the base hit the corner."),
            ),
            topic(
                "Firmware update broke my {product}",
                "After last night's update the {product} shows a blinking red light and nothing else.",
                ("Sent the firmware recovery steps from the help centre; the customer recovered the device themselves.", "The recovery article exists but is not linked from the error light description."),
                ("Sent a replacement the same day and a return label for the bricked unit.", "Units bricked by an update leave customers without the product for days."),
                ("Rolled the customer back to the previous firmware and paused the update for the affected model.", "The last firmware update bricks units with the old bootloader."),
            ),
            topic(
                "{product} display flickers",
                "The display on my {product} flickers constantly, especially when the brightness is low.",
                ("Showed the customer how to turn off adaptive brightness, which caused the flicker in low light.", "Adaptive brightness flickers in dim rooms; the default should be off."),
                ("Sent a replacement {product} and collected the faulty one.", "Display flicker is a hardware fault on early units."),
                ("Replaced the unit and reported the flicker pattern to engineering, who traced it to a display cable.", "A loose display cable on early units causes the flicker."),
            ),
        ],
        ask: &[
            "I'm sorry about this, {first}. Could you hold the power button for 15 seconds and tell me what the light does? That tells us whether it's the unit or the adapter.",
            "Thanks for the details. Could you send a short video or photo? I've already reserved a replacement in case we need it.",
            "I've passed the serial number to our product team to check against the affected batch; I'll update you by tomorrow noon.",
        ],
        replies: &[
            "The light blinks orange three times and then goes off.",
            "Video attached. It's worst right after switching on.",
            "Tried what you suggested, no change.",
            "Thanks, I'll wait to hear from you.",
        ],
        away: &[("Told the customer the warranty doesn't cover this.", "Customers don't read the warranty terms; a goodwill policy would keep them.")],
        upgrade: &[
            "Customer is an electrical engineer with a precise diagnosis of the fault; Yuki should hear it.",
            "Second unit bricked by the firmware update today; the product owner needs to know now.",
            "Live call: the customer can demonstrate the fault right now.",
        ],
        reopen: &["The replacement has exactly the same problem.", "It worked for two days and now it's dead again."],
        delight: &[
            "The replacement arrived the next morning and I didn't have to send the broken one back first.",
            "Someone from the product team actually called me to understand the fault.",
            "They lent me a spare while mine was repaired.",
        ],
    },
    CategorySpec {
        key: "account_access",
        name: "Account access",
        checklist: &[("account_email", "Email on the account", true), ("device", "Device and app version", false)],
        manager: "omar_haddad",
        executive: "margaret_okafor",
        weight: 0.12,
        topics: &[
            topic(
                "Locked out after a password reset",
                "I reset my password and now it says my account is locked. I need to get at my orders.",
                ("Explained the 30-minute lock after repeated attempts and walked the customer through signing in with an email link.", "Customers keep retrying the old password saved in their browser; the lock message doesn't say why."),
                ("Verified identity, unlocked the account and reset two-factor; checked there were no unknown orders.", "Lockouts after password resets come from the old session retrying."),
                ("Unlocked the account and asked the security team to end old sessions on a password reset.", "Old sessions retrying with the old password lock accounts right after a reset."),
            ),
            topic(
                "Two-factor codes never arrive",
                "The SMS code for two-factor login never arrives. I've waited 20 minutes and tried three times.",
                ("Showed the customer how to switch two-factor to an authenticator app.", "SMS delivery to one mobile network is slow; customers don't know about app-based codes."),
                ("Verified identity, switched the customer to email codes and stayed on the line until they were in.", "SMS codes to one network arrive minutes late."),
                ("Got the customer in and moved SMS for that network to our second SMS provider.", "One SMS provider drops codes to one mobile network."),
            ),
            topic(
                "Can't log in since changing my email",
                "I changed my email address last week and now neither the old nor the new one works.",
                ("Walked the customer through the password reset with the new email; signed in.", "The reset form silently uses the old email after an email change."),
                ("Verified identity and corrected the login email by hand; the customer signed in straight away.", "Email changes sometimes don't reach the login index."),
                ("Unlocked the account and fixed the email-change flow for everyone affected.", "Changing an email left the login index pointing at the old address for 2% of accounts."),
            ),
            topic(
                "Someone else may have been in my account",
                "I got an email about a login from a city I've never been to. I didn't do that.",
                ("Walked the customer through changing the password, turning on two-factor and ending other sessions.", "Customers don't know they can see and end active sessions themselves."),
                ("Verified the customer, secured the account, revoked all sessions and confirmed nothing was ordered.", "Login alert emails help customers catch break-ins early."),
                ("Secured the account; the security team blocked the credential-stuffing source the login came from.", "Passwords reused from other sites' leaks are behind most account break-ins."),
            ),
            topic(
                "My account shows as deactivated",
                "When I log in it says the account is deactivated. I never asked for that.",
                ("Showed the customer how to reactivate after the inactivity notice; account restored.", "Inactive accounts are deactivated after a notice customers never see."),
                ("Verified the customer and reactivated the account with all orders and credit intact.", "Deactivations by the fraud rule catch loyal customers."),
                ("Restored the account, which the fraud rule had deactivated; loosened the rule for long-standing customers.", "The fraud rule deactivates accounts that log in from abroad on holiday."),
            ),
            topic(
                "Please merge my two accounts",
                "I accidentally have two accounts, one for each email. Can they be merged so I see all my orders?",
                ("Showed the customer how to link the second email to the main account so all orders show in one place.", "Customers don't know they can link several emails to one account."),
                ("Merged the two accounts and moved all orders and credit onto the main email.", "Guest checkout creates a second account when the email differs in case."),
                ("Merged the accounts and asked for guest checkout to match emails case-insensitively.", "Email case differences create duplicate accounts."),
            ),
        ],
        ask: &[
            "To keep your account safe I'll verify you first, {first}: could you confirm the postcode of your last delivery?",
            "I've made a change on our side. Could you try again now and tell me what you see?",
            "I've sent a one-time sign-in link to the email on the account; it arrives within 5 minutes.",
        ],
        replies: &[
            "It's the postcode on my last order. Thanks for checking it's me.",
            "Tried again just now.",
            "Still doesn't work, same message as before.",
            "Got the link, thanks.",
        ],
        away: &[("Asked the customer to create a new account.", "Telling customers to start over loses their order history and goodwill.")],
        upgrade: &[
            "Possible account takeover; Omar wants to hear security cases live.",
            "Customer describes a bug in the email-change flow very precisely.",
        ],
        reopen: &["It worked yesterday but today I'm locked out again.", "It's happening again, same problem."],
        delight: &[
            "They checked my account was safe before I even asked.",
            "Back in within ten minutes, and they explained what had happened.",
            "Someone senior called me to explain what they'd fixed.",
        ],
    },
    CategorySpec {
        key: "returns",
        name: "Returns and exchanges",
        checklist: &[("order_id", "Order id", true), ("reason", "Reason for the return", false)],
        manager: "lucia_ferreira",
        executive: "tomas_lindqvist",
        weight: 0.18,
        topics: &[
            topic(
                "Return label for order {order}",
                "I'd like to return the {product} from order {order}. How do I get a label?",
                ("Showed the customer how to print a return label from the order page, and the nearest drop-off points.", "The return label link is only in the confirmation email, not on the order page."),
                ("Emailed a prepaid label and booked a collection from home for Thursday.", "Customers without a printer can't use our labels."),
                ("Sent a QR-code label that needs no printer and asked for QR labels to be the default.", "Many customers have no printer; QR labels remove the barrier."),
            ),
            topic(
                "Returned two weeks ago, no refund yet",
                "I sent the {product} back two weeks ago (tracking shows it arrived) but I haven't been refunded {amount}.",
                ("Showed the customer the return status page: received, inspected, refund sent yesterday.", "Customers can't see where their return is in the process."),
                ("Released the refund of {amount} manually and apologised for the wait.", "Refunds wait for inspection even when the item is unopened."),
                ("Refunded the customer directly and changed refunds to release on the carrier scan for unopened items.", "Waiting for inspection before refunding adds 9 days and most of the complaints."),
            ),
            topic(
                "Exchange for a different size",
                "The {product} is too small. Can I swap it for the larger one rather than return it?",
                ("Showed the customer the exchange option on the order page; the larger size is on its way.", "Customers return and rebuy because they don't see the exchange button."),
                ("Sent the larger size straight away and a collection for the small one; no need to wait for the return.", "Exchanges are slower than return-and-rebuy, and customers notice."),
                ("Shipped the exchange at once and proposed sending exchanges before the return arrives for customers in good standing.", "Waiting for the return before sending the exchange costs us repeat customers."),
            ),
            topic(
                "Gift return without a receipt",
                "I received a {product} as a gift but already have one. Can I return it without the order number?",
                ("Explained gift returns through the returns portal with the gift code on the packing slip.", "Gift recipients don't know the packing slip has a return code."),
                ("Found the order from the gift message and issued store credit for the return.", "Gift returns without an order number need a manual lookup."),
                ("Issued store credit and asked for a gift-return link in every gift message.", "Gift recipients have no way to return without the buyer's order number."),
            ),
            topic(
                "Refund went to an old card",
                "My refund of {amount} went to a card I cancelled last month.",
                ("Explained that the bank forwards refunds on a cancelled card to the new one, and gave the refund reference to quote.", "Customers don't know banks forward refunds from cancelled cards."),
                ("Confirmed the bank bounced the refund and paid {amount} to the new card the same day.", "Refunds to closed cards bounce back to us after a week."),
                ("Refunded to the new card and fixed refund routing to use the customer's current payment method.", "Refunds go to the original card even when it has been cancelled."),
            ),
            topic(
                "Drop-off point refused my return",
                "The parcel shop refused my return and said the label is invalid.",
                ("Showed the customer how to generate a fresh label from the order page; the old one had expired.", "Labels expire after 14 days but the email says 30."),
                ("Issued a new label and a goodwill voucher for the wasted trip.", "Drop-off points refuse expired labels without explanation."),
                ("Sent a new label and got labels extended to 30 days, matching what our email promises.", "Our email promises 30 days to return but the label expires after 14."),
            ),
        ],
        ask: &[
            "Thanks {first}. I've checked order {order} with the returns team and will confirm the next step today.",
            "I've created a fresh label; would you prefer a drop-off point or a collection from home?",
            "Which would suit you best: a refund, an exchange or store credit? I'll set it up as soon as you tell me.",
        ],
        replies: &[
            "Collection from home please, I'm in all day Thursday.",
            "An exchange would be great, thanks.",
            "It's been another week, any news?",
            "Thanks for sorting that out.",
        ],
        away: &[("Explained that the return window has passed.", "The return window is strict even for loyal customers; a goodwill exception would keep them.")],
        upgrade: &[
            "Third customer this week whose label was refused at the drop-off point; Lucia should hear it.",
            "Long-time customer explains why our exchange process makes them buy elsewhere.",
        ],
        reopen: &["The refund still isn't on my statement.", "The courier never came to collect the return."],
        delight: &[
            "The new size arrived before I'd even sent the old one back.",
            "Refund the same day; I've never had that anywhere.",
            "They sent a courier to my home for the return.",
        ],
    },
];

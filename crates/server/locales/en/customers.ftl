# The words Roadone's customers read: the public pages and the mail sent to them.
# Every message here is in every other language's catalog too (a test checks).

## The frame of every page

site-name = Customer service
skip-to-content = Skip to the content
nav-write = Write to us
nav-cases = Your cases
language-label = Language:

## Writing in

contact-title = Write to us
contact-intro = Tell us what went wrong. One person will own your problem until it is solved, and we tell you when to expect an answer.
contact-about = What is it about?
contact-form-title = Write to us: { $category }
form-look-at = Please look at { $count ->
    [one] { $count } field
   *[other] { $count } fields
} below.
form-name = Your name
form-email = Your email address
form-if-you-have-it = (if you have it)
form-leave-empty = If you do not have it, leave it empty: we will ask.
form-subject = In a few words
form-optional = (optional)
form-description = What happened?
form-files = Files
form-files-hint = (any kind: PDF, photos, documents…)
form-files-again = Please choose your files again: browsers do not keep them when a form comes back.
form-send = Send
error-too-long = please keep this under { $max } characters
error-name-missing = please tell us your name
error-email-missing = please give an email address so we can answer you
error-email-wrong = { $email } is not an email address we can write to
error-description-missing = please describe the problem
error-no-such-field = this form has no such field

## Signing in to follow one's cases

portal-title = Your cases
portal-sign-in-intro = Give the email address you wrote to us from. We will mail you a link that signs you in.
portal-email = Email address
portal-send-link = Mail me a sign-in link
portal-new-problem = New problem?
portal-email-missing = please give the email address you wrote to us from
portal-email-wrong = { $email } is not an email address
portal-check-mail = Check your mail
portal-link-on-its-way = If { $email } has cases with us, a sign-in link is on its way. It works once, within { $minutes } minutes.
portal-nothing-arrived = Nothing arrived? Look in your spam folder, or
portal-ask-again = ask again
portal-sign-in = Sign in
portal-sign-in-button = Sign in to see your cases
portal-signed-in-as = Signed in as { $who }.
portal-solved = Solved
portal-open = Open
portal-closed = Closed
case-closed-note = We closed this request without an answer. If you still need us, write below and it opens again.
portal-last-change = last change { $when }
portal-promised = answer promised by { $when }
portal-no-cases = You have no cases with us.
portal-write-new = Write to us about something new
portal-sign-out = Sign out

## A case's page

case-thanks = Thank you: we have your request
case-your-reference = Your reference is
case-we-promise = We promise an answer by
case-mailed-too = We have mailed you this too.
case-keep-address = Keep this page's address to come back to it.
case-solved-on = on { $when }.
case-opened = Opened { $when }; we promise an answer by
case-messages = Messages
case-us = Us
case-you = You
case-rate-title = How did we do?
case-score = Your score, from 1 (poor) to 5 (delighted)
case-delighted-by = What delighted you, if anything?
case-recommend = Would you recommend us to a friend?
case-yes = Yes
case-no = No
case-send-rating = Send my rating
case-thanks-rating = Thank you for your rating: { $score } out of 5.
case-still-wrong = Something still wrong?
case-add = Add to your case
case-reopens = Writing again reopens your case with the person who solved it.
case-your-message = Your message
case-files-hint = (any kind)
case-all-cases = All your cases
case-write-something = write a message or attach a file before sending
case-choose-score = please choose a score from 1 to 5
case-say-recommend = please say whether you would recommend us

## Mail to customers

mail-hello = Hello,
mail-hello-name = Hello { $name },
mail-ack-subject = We have your request: { $subject }
mail-ack-body =
    Thank you for writing to us. Your problem is real and we will deal with it:
    { $owner } now owns your case and will see it through, or hand it to someone
    who can.
mail-your-reference = Your reference: { $reference }
mail-we-promise = We promise an answer by: { $when }
mail-follow = Follow your case, or add to it, here: { $link }
mail-reply-lands = You can also simply reply to this message; your reply lands on your case.
mail-your-case = Your case: { $link }
mail-your-case-or-reply = Your case: { $link } (or reply to this message)
mail-solved-subject = Solved: { $subject }
mail-solved-reopen = If this did not solve it, reply to this message and your case opens again.
mail-solved-rate = How did we do? Tell us here (one minute): { $link }
mail-escalated-subject = A senior person now owns your case
mail-escalated-body =
    Your case "{ $subject }" is not solved yet, so it has gone to { $owner },
    who is responsible for getting it solved. We have not forgotten you.
mail-case-link-subject = The link to your case { $reference }: { $subject }
mail-case-link-body =
    { $sender } asked us to send you the link to your case { $reference }
    ("{ $subject }"). With it you can follow the case, write to us, send files and,
    once it is solved, tell us how we did:
mail-case-link-private = Keep this link to yourself: whoever has it can read the case.
mail-sign-in-subject = Your link to sign in and follow your cases
mail-sign-in-body =
    Someone (we hope you) asked to sign in to follow your cases with us. Open this
    link within { $minutes } minutes to sign in; it works once:
mail-sign-in-not-you = If this was not you, ignore this message: nothing happens without the link.

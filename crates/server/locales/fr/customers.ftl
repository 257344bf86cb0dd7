# Les mots que lisent les clients de Roadone : les pages publiques et le courrier qui
# leur est envoyé. Chaque message existe aussi dans le catalogue anglais (un test le vérifie).

## Le cadre de chaque page

site-name = Service client
skip-to-content = Aller au contenu
nav-write = Nous écrire
nav-cases = Vos demandes
language-label = Langue :

## Nous écrire

contact-title = Nous écrire
contact-intro = Dites-nous ce qui n'a pas marché. Une seule personne s'occupera de votre problème jusqu'à ce qu'il soit résolu, et nous vous disons quand attendre une réponse.
contact-about = De quoi s'agit-il ?
contact-form-title = Nous écrire : { $category }
form-look-at = Merci de vérifier { $count ->
    [one] { $count } champ
   *[other] { $count } champs
} ci-dessous.
form-name = Votre nom
form-email = Votre adresse e-mail
form-if-you-have-it = (si vous l'avez)
form-leave-empty = Si vous ne l'avez pas, laissez ce champ vide : nous vous le demanderons.
form-subject = En quelques mots
form-optional = (facultatif)
form-description = Que s'est-il passé ?
form-files = Fichiers
form-files-hint = (de tout type : PDF, photos, documents…)
form-files-again = Merci de choisir à nouveau vos fichiers : les navigateurs ne les gardent pas quand un formulaire revient.
form-send = Envoyer
error-too-long = merci de rester sous { $max } caractères
error-name-missing = merci de nous donner votre nom
error-email-missing = merci de donner une adresse e-mail pour que nous puissions vous répondre
error-email-wrong = { $email } n'est pas une adresse e-mail à laquelle nous pouvons écrire
error-description-missing = merci de décrire le problème
error-no-such-field = ce formulaire n'a pas ce champ

## Se connecter pour suivre ses demandes

portal-title = Vos demandes
portal-sign-in-intro = Indiquez l'adresse e-mail depuis laquelle vous nous avez écrit. Nous vous enverrons un lien qui vous connecte.
portal-email = Adresse e-mail
portal-send-link = M'envoyer un lien de connexion
portal-new-problem = Un nouveau problème ?
portal-email-missing = merci d'indiquer l'adresse e-mail depuis laquelle vous nous avez écrit
portal-email-wrong = { $email } n'est pas une adresse e-mail
portal-check-mail = Consultez votre messagerie
portal-link-on-its-way = Si { $email } a des demandes chez nous, un lien de connexion est en route. Il ne sert qu'une fois, dans les { $minutes } minutes.
portal-nothing-arrived = Rien reçu ? Regardez dans vos courriers indésirables, ou
portal-ask-again = redemandez-le
portal-sign-in = Connexion
portal-sign-in-button = Me connecter pour voir mes demandes
portal-signed-in-as = Connecté en tant que { $who }.
portal-solved = Résolue
portal-open = Ouverte
portal-closed = Clôturée
case-closed-note = Nous avons clôturé cette demande sans réponse. Si vous avez toujours besoin de nous, écrivez ci-dessous : elle sera rouverte.
portal-last-change = dernière modification { $when }
portal-promised = réponse promise pour { $when }
portal-no-cases = Vous n'avez aucune demande chez nous.
portal-write-new = Nous écrire à propos d'autre chose
portal-sign-out = Se déconnecter

## La page d'une demande

case-thanks = Merci : nous avons bien reçu votre demande
case-your-reference = Votre référence est
case-we-promise = Nous promettons une réponse pour
case-mailed-too = Nous vous l'avons aussi envoyé par e-mail.
case-keep-address = Gardez l'adresse de cette page pour y revenir.
case-solved-on = le { $when }.
case-opened = Ouverte le { $when } ; nous promettons une réponse pour
case-messages = Messages
case-us = Nous
case-you = Vous
case-rate-title = Comment nous sommes-nous débrouillés ?
case-score = Votre note, de 1 (mauvais) à 5 (ravi)
case-delighted-by = Qu'est-ce qui vous a fait plaisir, s'il y a quelque chose ?
case-recommend = Nous recommanderiez-vous à un ami ?
case-yes = Oui
case-no = Non
case-send-rating = Envoyer ma note
case-thanks-rating = Merci pour votre note : { $score } sur 5.
case-still-wrong = Quelque chose ne va toujours pas ?
case-add = Compléter votre demande
case-reopens = Nous écrire à nouveau rouvre votre demande auprès de la personne qui l'a résolue.
case-your-message = Votre message
case-files-hint = (de tout type)
case-all-cases = Toutes vos demandes
case-write-something = écrivez un message ou joignez un fichier avant d'envoyer
case-choose-score = merci de choisir une note de 1 à 5
case-say-recommend = merci de dire si vous nous recommanderiez

## Le courrier aux clients

mail-hello = Bonjour,
mail-hello-name = Bonjour { $name },
mail-ack-subject = Nous avons bien reçu votre demande : { $subject }
mail-ack-body =
    Merci de nous avoir écrit. Votre problème est réel et nous allons le traiter :
    { $owner } est désormais responsable de votre demande et la mènera à bien, ou la
    confiera à quelqu'un qui le peut.
mail-your-reference = Votre référence : { $reference }
mail-we-promise = Nous promettons une réponse pour : { $when }
mail-follow = Suivez votre demande, ou complétez-la, ici : { $link }
mail-reply-lands = Vous pouvez aussi simplement répondre à ce message ; votre réponse arrive dans votre demande.
mail-your-case = Votre demande : { $link }
mail-your-case-or-reply = Votre demande : { $link } (ou répondez à ce message)
mail-solved-subject = Résolue : { $subject }
mail-solved-reopen = Si le problème n'est pas résolu, répondez à ce message et votre demande sera rouverte.
mail-solved-rate = Comment nous sommes-nous débrouillés ? Dites-le-nous ici (une minute) : { $link }
mail-escalated-subject = Une personne de la direction s'occupe maintenant de votre demande
mail-escalated-body =
    Votre demande « { $subject } » n'est pas encore résolue ; elle est donc passée à
    { $owner }, qui a la charge de la faire résoudre. Nous ne vous avons pas oublié.
mail-case-link-subject = Le lien vers votre demande { $reference } : { $subject }
mail-case-link-body =
    { $sender } nous a demandé de vous envoyer le lien vers votre demande { $reference }
    (« { $subject } »). Avec lui, vous pouvez suivre la demande, nous écrire, envoyer des
    fichiers et, une fois qu'elle est résolue, nous dire comment nous nous sommes débrouillés :
mail-case-link-private = Gardez ce lien pour vous : quiconque l'a peut lire la demande.
mail-sign-in-subject = Votre lien pour vous connecter et suivre vos demandes
mail-sign-in-body =
    Quelqu'un (vous, nous l'espérons) a demandé à se connecter pour suivre vos demandes
    chez nous. Ouvrez ce lien dans les { $minutes } minutes pour vous connecter ; il ne
    sert qu'une fois :
mail-sign-in-not-you = Si ce n'était pas vous, ignorez ce message : rien ne se passe sans le lien.
